/**
 * The program Gantry runs on a source server to write a `docker save`-format archive of one
 * image that carries only the layers the target lacks, read straight from Docker's image store
 * (overlay2) instead of through `docker save`.
 *
 * Why not `docker save | filter`: dockerd 20.10 writes the whole image to a temporary folder
 * before it sends the first byte, so a filter still pays for every layer on the source; and its
 * layer folders are named by v1 ids that cannot be known in advance. Docker keeps, per layer,
 * the tar's headers and padding (`tar-split.json.gz`) next to the unpacked files, which is how
 * it re-creates the original layer tar byte for byte: this program does the same, so each layer
 * keeps its diff id, and `docker load` (which checks every diff id) gives the very same image.
 *
 * Layers the target has are written as empty files: `docker load` looks a layer up by its chain
 * id before it opens the file. The first `have` layers are skipped because a chain id names a
 * layer together with every layer below it, so what a target has is always a prefix.
 *
 * Argument order: docker root dir, image id, reference to tag, number of layers to skip, mode
 * (`check`: exit 0 when every needed file is readable, printing the bytes it would send; `write`).
 * Python 3 only (no third-party modules), so it runs on any server with `python3`.
 */
export const LAYER_ARCHIVE_PY = String.raw`
import base64, gzip, hashlib, json, os, sys, tarfile, time

root, image_id, ref, have, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
store = os.path.join(root, 'image', 'overlay2')
config_hex = image_id.split(':', 1)[1]
config = open(os.path.join(store, 'imagedb', 'content', 'sha256', config_hex), 'rb').read()
diffs = json.loads(config)['rootfs']['diff_ids']
chains = []
for diff in diffs:
    chains.append(diff if not chains else 'sha256:' + hashlib.sha256((chains[-1] + ' ' + diff).encode()).hexdigest())

def layer_dir(chain):
    return os.path.join(store, 'layerdb', 'sha256', chain.split(':', 1)[1])

def entries(chain):
    with gzip.open(os.path.join(layer_dir(chain), 'tar-split.json.gz'), 'rt') as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)

def files_of(chain):
    cache_id = open(os.path.join(layer_dir(chain), 'cache-id')).read().strip()
    return os.path.join(root, 'overlay2', cache_id, 'diff')

def name_of(entry):
    if entry.get('name_raw'):
        return base64.b64decode(entry['name_raw'])
    return entry.get('name', '').encode()

def tar_size(chain):
    total = 0
    for entry in entries(chain):
        total += len(base64.b64decode(entry['payload'])) if entry['type'] == 2 else entry.get('size', 0)
    return total

class LayerTar:
    """The layer's original tar, re-assembled from its headers and its unpacked files."""
    def __init__(self, chain):
        self.parts = self.generate(chain)
        self.buffer = b''
    def generate(self, chain):
        files = files_of(chain).encode()
        for entry in entries(chain):
            if entry['type'] == 2:
                yield base64.b64decode(entry['payload'])
            elif entry.get('size', 0) > 0:
                left = entry['size']
                with open(os.path.join(files, name_of(entry).lstrip(b'/')), 'rb') as source:
                    while left > 0:
                        chunk = source.read(min(left, 1 << 20))
                        if not chunk:
                            raise IOError('layer file shorter than recorded: ' + name_of(entry).decode('utf8', 'replace'))
                        left -= len(chunk)
                        yield chunk
    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            part = next(self.parts, None)
            if part is None:
                break
            self.buffer += part
        if size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out

needed = {}
for index, (diff, chain) in enumerate(zip(diffs, chains)):
    if index >= have:
        needed.setdefault(diff, chain)

if mode == 'check':
    total = 0
    for diff, chain in needed.items():
        os.stat(os.path.join(layer_dir(chain), 'tar-split.json.gz'))
        os.stat(files_of(chain))
        total += tar_size(chain)
    print(total)
    sys.exit(0)

out = tarfile.open(fileobj=sys.stdout.buffer, mode='w|', format=tarfile.PAX_FORMAT)
now = int(time.time())

def add(name, size, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, now, 0o644
    out.addfile(info, data)

class Bytes:
    def __init__(self, data):
        self.data = data
    def read(self, size=-1):
        out, self.data = (self.data, b'') if size < 0 else (self.data[:size], self.data[size:])
        return out

add(config_hex + '.json', len(config), Bytes(config))
written = set()
for index, (diff, chain) in enumerate(zip(diffs, chains)):
    name = diff.split(':', 1)[1] + '/layer.tar'
    if name in written:
        continue
    written.add(name)
    if diff in needed:
        add(name, tar_size(chain), LayerTar(chain))
    else:
        add(name, 0, Bytes(b''))
manifest = json.dumps([{'Config': config_hex + '.json', 'RepoTags': [ref], 'Layers': [d.split(':', 1)[1] + '/layer.tar' for d in diffs]}]).encode()
add('manifest.json', len(manifest), Bytes(manifest))
out.close()
sys.stdout.buffer.flush()
`;
