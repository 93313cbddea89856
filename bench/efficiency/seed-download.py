"""The Python seed's download loop, for the side-by-side benchmark (bench/efficiency).

The seed (`timelapse2-dl` 0.5.1) is not in any registry this project reaches, so this is its loop as
its README describes it: the standard library only (urllib with HTTP Digest), the archive listing
first, then each archive read 64 KiB at a time into a `.part` file, fsync at the end, rename.

    python3 seed-download.py HOST_URL USER OUTDIR     (password in SEED_PASSWORD)
"""
import json
import os
import sys
import urllib.request

READ_BYTES = 64 * 1024


def main() -> None:
    host, user, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
    password = os.environ['SEED_PASSWORD']
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, host, user, password)
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))
    with opener.open(f'{host}/local/timelapse2/archive', timeout=60) as response:
        archives = json.loads(response.read())
    for archive in archives:
        name = archive['filename'] if isinstance(archive, dict) else str(archive)
        dest = os.path.join(outdir, os.path.basename(name))
        part = dest + '.part'
        with opener.open(f'{host}/local/timelapse2/download?filename={name}', timeout=60) as response, open(part, 'wb') as out:
            while True:
                chunk = response.read(READ_BYTES)
                if not chunk:
                    break
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, dest)


if __name__ == '__main__':
    main()
