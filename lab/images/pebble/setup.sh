# Pebble serves ACME over TLS: give it a CA and a certificate for localhost/pebble.
mkdir -p /etc/pebble
cd /etc/pebble
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gantry-lab pebble minica" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=pebble" -keyout key.pem -out cert.csr 2>/dev/null
printf 'subjectAltName=DNS:pebble,DNS:localhost,IP:127.0.0.1\n' >ext.cnf
openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
  -extfile ext.cnf -out cert.pem 2>/dev/null
rm -f cert.csr ext.cnf ca.srl
cat >pebble-config.json <<'JSON'
{
  "pebble": {
    "listenAddress": "0.0.0.0:14000",
    "managementListenAddress": "0.0.0.0:15000",
    "certificate": "/etc/pebble/cert.pem",
    "privateKey": "/etc/pebble/key.pem",
    "httpPort": 80,
    "tlsPort": 443,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
JSON
chmod 755 /usr/local/bin/docker-entrypoint.sh
