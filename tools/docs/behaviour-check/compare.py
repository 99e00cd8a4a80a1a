"""Compares two run.sh outputs: model files (every byte but the timing metadata) and the
experiment and command outputs with timings, paths and timing columns removed.
Usage: python3 compare.py OUT_A OUT_B"""
import json, os, re, sys

a, b = sys.argv[1], sys.argv[2]

def model(p):
    d = open(p, 'rb').read()
    i = d.rfind(b'{"format"')
    meta = json.loads(d[i:-8].decode())
    meta.pop('trainSeconds', None)
    return d[:i - 4], meta

def text(p, root):
    t = open(p).read().replace(os.path.abspath(root), 'OUT')
    t = re.sub(r'\b\d+(\.\d+)?(s|ms|m\d\ds)\b', 'T', t)
    # the last column of the spread table is training seconds
    t = re.sub(r'(\| [\w-]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|) [\d.]+ \|', r'\1 T |', t)
    return re.sub(r'"\w*Seconds":[-0-9.eE+]+', '', t)

diffs = 0
for root, _, files in os.walk(a):
    for f in sorted(files):
        pa = os.path.join(root, f)
        pb = os.path.join(b, os.path.relpath(pa, a))
        if not os.path.exists(pb):
            print('missing', pb); diffs += 1
        elif f.endswith('.lore'):
            if model(pa) != model(pb):
                print('differs', os.path.relpath(pa, a)); diffs += 1
        elif f.endswith(('.txt', '.md', '.jsonl')):
            if text(pa, a) != text(pb, b):
                print('differs', os.path.relpath(pa, a)); diffs += 1
print('differences:', diffs)
