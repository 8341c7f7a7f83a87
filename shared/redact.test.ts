import { describe, expect, it } from 'vitest';
import { MASK, maskCommand, redactSecrets } from './redact';

/** One real-world shape: the text, what must not survive masking, and what must stay readable. */
interface Example {
  text: string;
  hidden: string[];
  readable: string[];
}

const examples: Record<string, Example> = {
  'postgres URL': { text: 'postgres://app:s3cret@db:5432/app', hidden: ['s3cret'], readable: ['app:', '@db:5432/app'] },
  'postgresql URL with query': { text: 'postgresql://app:pa55w0rd@pg.internal:5433/orders?sslmode=require', hidden: ['pa55w0rd'], readable: ['pg.internal:5433/orders', 'sslmode=require'] },
  'mysql URL': { text: 'mysql://root:r00tpw@mysql-uat:3306/shop', hidden: ['r00tpw'], readable: ['mysql-uat:3306/shop', 'root:'] },
  'redis URL with empty user': { text: 'redis://:r3dispw@cache:6379/0', hidden: ['r3dispw'], readable: ['cache:6379/0'] },
  'mongodb+srv URL': { text: 'mongodb+srv://svc:m0ng0pw@cluster0.mongo.internal/reports?retryWrites=true', hidden: ['m0ng0pw'], readable: ['cluster0.mongo.internal/reports', 'svc:'] },
  'amqp URL': { text: 'amqp://guest:rabbitpw@rabbit:5672/vhost', hidden: ['rabbitpw'], readable: ['rabbit:5672/vhost'] },
  'URL password holding an @': { text: 'postgres://app:p@ss@db:5432/app', hidden: ['p@ss', 'ss@'], readable: ['@db:5432/app'] },
  'https URL with an access token as user': { text: 'https://ghp_abcdefghijklmnopqrstuvwxyz0123@git.internal/org/repo.git', hidden: ['ghp_abcdefghijklmnopqrstuvwxyz0123'], readable: ['git.internal/org/repo.git'] },
  'git ssh URL keeps its user': { text: 'ssh://git@git.internal:2222/org/repo.git', hidden: [], readable: ['ssh://git@git.internal:2222/org/repo.git'] },
  'Go MySQL DSN with tcp()': { text: 'app:g0pass@tcp(mysql:3306)/shop?parseTime=true', hidden: ['g0pass'], readable: ['app:', 'tcp(mysql:3306)/shop', 'parseTime=true'] },
  'Go MySQL DSN with ()': { text: 'DSN=app:g0pass@(mysql-dev:3306)/', hidden: ['g0pass'], readable: ['(mysql-dev:3306)/'] },
  'Go MySQL DSN with unix socket': { text: 'root:s0cketpw@unix(/var/run/mysqld/mysqld.sock)/inventory', hidden: ['s0cketpw'], readable: ['/var/run/mysqld/mysqld.sock', '/inventory'] },
  'Go MySQL DSN password holding @': { text: 'app:a@b@tcp(db:3306)/x', hidden: ['a@b'], readable: ['tcp(db:3306)/x'] },
  'Go MySQL DSN with no host': { text: 'app:locpw@/billing', hidden: ['locpw'], readable: ['/billing'] },
  'libpq key=value string': { text: 'host=pg port=5432 dbname=app user=app password=lpq-secret sslmode=disable', hidden: ['lpq-secret'], readable: ['host=pg', 'port=5432', 'dbname=app', 'user=app', 'sslmode=disable'] },
  'libpq quoted password with a space': { text: "host=db dbname=app password='two words' connect_timeout=5", hidden: ['two', 'words'], readable: ['host=db', 'dbname=app', 'connect_timeout=5'] },
  'JDBC postgres with query password': { text: 'jdbc:postgresql://pg:5432/app?user=app&password=jdbcpw&ssl=true', hidden: ['jdbcpw'], readable: ['pg:5432/app', 'user=app', 'ssl=true'] },
  'JDBC sqlserver ;password=': { text: 'jdbc:sqlserver://mssql:1433;databaseName=erp;user=sa;password=Ms$ql2022;encrypt=false', hidden: ['Ms$ql2022'], readable: ['mssql:1433', 'databaseName=erp', 'user=sa', 'encrypt=false'] },
  'JDBC mysql with userinfo': { text: 'jdbc:mysql://app:jmysqlpw@mysql:3306/shop', hidden: ['jmysqlpw'], readable: ['mysql:3306/shop'] },
  'JDBC oracle thin': { text: 'jdbc:oracle:thin:scott/tiger@//ora:1521/ORCLPDB1', hidden: ['tiger'], readable: ['scott/', 'ora:1521/ORCLPDB1'] },
  'ODBC Pwd=': { text: 'Driver={ODBC Driver 18 for SQL Server};Server=tcp:mssql,1433;Database=erp;Uid=sa;Pwd=0dbcPw!;', hidden: ['0dbcPw!'], readable: ['Server=tcp:mssql,1433', 'Database=erp', 'Uid=sa'] },
  'ODBC braced Pwd': { text: 'Server=mssql;Database=erp;Uid=sa;Pwd={br;aced};Encrypt=no', hidden: ['br;aced', 'aced'], readable: ['Server=mssql', 'Database=erp', 'Encrypt=no'] },
  'ADO.NET Password=': { text: 'Server=mssql,1433;Initial Catalog=erp;User ID=sa;Password=AdoPw#1;TrustServerCertificate=True', hidden: ['AdoPw#1'], readable: ['Server=mssql,1433', 'Initial Catalog=erp', 'User ID=sa'] },
  'redis.conf requirepass': { text: 'requirepass confpw\nport 6379', hidden: ['confpw'], readable: ['port 6379'] },
  'redis-server --requirepass': { text: 'redis-server --requirepass srvpw --port 6380 --appendonly yes', hidden: ['srvpw'], readable: ['--port 6380', '--appendonly yes'] },
  'redis-server --masterauth': { text: 'redis-server --replicaof redis-dev 6379 --masterauth mpw', hidden: ['mpw'], readable: ['--replicaof redis-dev 6379'] },
  'redis-cli -a in a health check': { text: 'redis-cli -h cache -p 6379 -a clipw ping', hidden: ['clipw'], readable: ['-h cache', '-p 6379', 'ping'] },
  'CONFIG SET requirepass': { text: 'redis-cli CONFIG SET requirepass=setpw', hidden: ['setpw'], readable: ['CONFIG SET'] },
  '--password=': { text: 'mysqldump --host=mysql --port=3306 --password=dumppw shop', hidden: ['dumppw'], readable: ['--host=mysql', '--port=3306', 'shop'] },
  '--password value': { text: 'pg_dumpall --password sep-pw --host pg', hidden: ['sep-pw'], readable: ['--host pg'] },
  'Go-style single-dash flags': { text: 'exporter -listen :9104 -password gopw -api-key=gokey -db-host mysql', hidden: ['gopw', 'gokey'], readable: ['-listen :9104', '-db-host mysql'] },
  'mysql -p glued': { text: 'mysqladmin -h mysql -P 3306 -uroot -pgluedpw ping', hidden: ['gluedpw'], readable: ['-h mysql', '-P 3306', '-uroot', 'ping'] },
  'mysql --password prompts, the database stays': { text: 'mysql -h mysql-uat --password shop', hidden: [], readable: ['--password shop', 'mysql-uat'] },
  'sshpass -p': { text: 'sshpass -p sshpw ssh -p 2222 deploy@uat', hidden: ['sshpw'], readable: ['-p 2222', 'deploy@uat'] },
  'docker -p port stays': { text: 'docker run -p 8080:80 -p 127.0.0.1:5432:5432 postgres:16', hidden: [], readable: ['-p 8080:80', '-p 127.0.0.1:5432:5432'] },
  'psql -p port stays': { text: 'psql -h pg -p 5432 -U app -d orders', hidden: [], readable: ['-h pg -p 5432 -U app -d orders'] },
  'mongosh -p': { text: 'mongosh --host mongo --port 27017 -u admin -p m0ngopw --authenticationDatabase admin', hidden: ['m0ngopw'], readable: ['--host mongo', '--port 27017', '-u admin', '--authenticationDatabase admin'] },
  'docker login -p': { text: 'docker login -u ci -p dlpw registry.internal:5000', hidden: ['dlpw'], readable: ['-u ci', 'registry.internal:5000'] },
  'curl -u user:pass': { text: 'curl -fsS -u admin:curlpw http://app:8080/health', hidden: ['curlpw'], readable: ['admin:', 'http://app:8080/health'] },
  'Authorization Bearer header': { text: 'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig" http://api:8080/', hidden: ['eyJhbGciOiJIUzI1NiJ9', 'payload.sig'], readable: ['Authorization: Bearer', 'http://api:8080/'] },
  'Authorization Basic header': { text: 'Authorization: Basic dXNlcjpwYXNzd29yZA==', hidden: ['dXNlcjpwYXNzd29yZA'], readable: ['Authorization: Basic'] },
  'Authorization in JSON': { text: '{"headers":{"authorization":"token ghp_tokentokentoken","host":"api"}}', hidden: ['ghp_tokentokentoken'], readable: ['"host":"api"'] },
  'bare bearer token in a log': { text: 'request failed with Bearer abcdef1234567890 for api:8443', hidden: ['abcdef1234567890'], readable: ['api:8443'] },
  'prose about authentication stays': { text: 'Basic authentication failed for user app on db:5432', hidden: [], readable: ['Basic authentication failed for user app on db:5432'] },
  'X-Api-Key header': { text: 'X-Api-Key: k3y-abc-123', hidden: ['k3y-abc-123'], readable: ['X-Api-Key'] },
  'RSA private key': { text: 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done', hidden: ['MIIEpAIBAAKCAQEA'], readable: ['done'] },
  'OpenSSH private key with escaped newlines': { text: '{"k":"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk\\n-----END OPENSSH PRIVATE KEY-----"}', hidden: ['b3BlbnNzaC1rZXk'], readable: ['"k"'] },
  'PGP private key block': { text: '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBGP\n-----END PGP PRIVATE KEY BLOCK-----', hidden: ['lQOYBGP'], readable: [] },
  'truncated private key': { text: '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI', hidden: ['MHcCAQEEI'], readable: [] },
  'certificate stays readable': { text: '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----', hidden: [], readable: ['MIIBcert'] },
  'env assignment of a password': { text: 'docker run -e POSTGRES_PASSWORD=envpw -e POSTGRES_DB=orders postgres:16', hidden: ['envpw'], readable: ['POSTGRES_DB=orders', 'postgres:16'] },
  'env names with token, secret, key, credential': { text: 'export GITHUB_TOKEN=ght AWS_SECRET_ACCESS_KEY=awss APP_KEY=base64:lk GCP_CREDENTIALS=gcpc REGION=eu-west-1', hidden: ['ght', 'awss', 'base64:lk', 'gcpc'], readable: ['REGION=eu-west-1'] },
  '--env= with a secret variable': { text: 'docker run --env=DB_PASS=dbp --env=DB_HOST=mysql app', hidden: ['dbp'], readable: ['DB_HOST=mysql'] },
  'JSON env of a spec': { text: '{"env":{"REDIS_PASSWORD":"rj pw","REDIS_HOST":"cache","API_KEY":"akj"}}', hidden: ['rj pw', 'akj'], readable: ['"REDIS_HOST":"cache"'] },
  'JSON command array': { text: '{"command":["redis-server","--requirepass","arrpw","--port","6379"]}', hidden: ['arrpw'], readable: ['"--port","6379"'] },
  'JSON field names of Gantry stay': { text: '{"hostKey":"SHA256:abc","portKey":"5432/tcp","passwordSet":true}', hidden: [], readable: ['SHA256:abc', '5432/tcp', '"passwordSet":true'] },
  'stored plan JSON with a Go DSN and a libpq string': { text: '{"env":{"MYSQL_DSN":"app:dsnpw@tcp(mysql-uat:3306)/shop","PG_CONN":"host=pg-uat port=5432 dbname=orders password=connpw"}}', hidden: ['dsnpw', 'connpw'], readable: ['tcp(mysql-uat:3306)/shop', 'host=pg-uat port=5432 dbname=orders'] },
  'JSON objects and arrays under a secret-named field stay JSON': { text: '{"secretRefs":{"db":"keychain:1"},"tokens":["a"],"apiToken":12345}', hidden: ['12345'], readable: ['"secretRefs":{"db":"keychain:1"}', '"tokens":["a"]'] },
  'a sealed value keeps its fingerprint': { text: '{"POSTGRES_PASSWORD":"•••••• ‹hmac:0123abcd›","DATABASE_URL":"postgres://app:•••••• ‹hmac:99ff›"}', hidden: [], readable: ['‹hmac:0123abcd›', '‹hmac:99ff›'] },
  'PWD as a folder stays': { text: 'PWD=/srv/app HOME=/root', hidden: [], readable: ['PWD=/srv/app'] },
  'prose with ordinary words': { text: 'container web on uat-server restarted at 10:42, port 8080 published', hidden: [], readable: ['container web on uat-server restarted at 10:42, port 8080 published'] },
};

describe('redactSecrets: the table of real-world shapes', () => {
  it('holds at least 40 examples', () => expect(Object.keys(examples).length).toBeGreaterThanOrEqual(40));
  it.each(Object.entries(examples))('%s', (_name, { text, hidden, readable }) => {
    const masked = redactSecrets(text);
    for (const secret of hidden) expect(masked).not.toContain(secret);
    for (const kept of readable) expect(masked).toContain(kept);
    if (hidden.length > 0) expect(masked).toContain(MASK);
    else expect(masked).toBe(text);
  });
  it('is idempotent: masking masked text changes nothing', () => {
    for (const { text } of Object.values(examples)) expect(redactSecrets(redactSecrets(text))).toBe(redactSecrets(text));
  });
  it('keeps JSON parseable', () => {
    for (const { text } of Object.values(examples)) if (text.startsWith('{')) expect(() => JSON.parse(redactSecrets(text))).not.toThrow();
  });
});

describe('maskCommand', () => {
  it('masks secret arguments one by one', () => {
    expect(maskCommand(['mongosh', '-u', 'admin', '-p', 'pw1', '--port', '27017'])).toEqual(['mongosh', '-u', 'admin', '-p', MASK, '--port', '27017']);
    expect(maskCommand(['app', '--db', 'app:pw2@tcp(db:3306)/x'])).toEqual(['app', '--db', `app:${MASK}@tcp(db:3306)/x`]);
    expect(maskCommand(['docker-entrypoint.sh', '-p', '8080:80'])).toEqual(['docker-entrypoint.sh', '-p', '8080:80']);
  });
});
