/** The commented example `camdl init` writes. */
export const EXAMPLE_CONFIG = `# camdl fleet config: every camera archived, verified, with a ledger. Docs: the README of @camdl/cli (npm), and camdl <command> --help
# Validate in your editor with the JSON Schema shipped in @camdl/sync (camdl.schema.json).

# Root of the local archive. The ledger lives in <archive>/.camdl/ledger.sqlite.
archive: ./archive

# Mbps for all cameras together (1 Mbps = 125,000 bytes/s); 0 = unlimited.
bandwidth: 200

# Where each recording goes, below the archive. {camera} {channel} {yyyy} {mm} {dd} {hh} {file}.
# The day is the day the recording covers, in camera time.
layout: "{camera}/{yyyy}-{mm}-{dd}/{file}"

# Off-site copies (optional): each recording verified locally is copied to every target, checked by
# sha256 and recorded; delete-after then waits for the copies too. Secrets only from -env or -file.
# upload-bandwidth: 50         # Mbps for all uploads together; 0 = unlimited
# targets:
#   - name: offsite
#     kind: s3                 # any S3-compatible store (AWS, MinIO, B2, R2, Wasabi, Garage)
#     endpoint: https://s3.eu-central-1.amazonaws.com
#     region: eu-central-1
#     bucket: camdl-archive
#     prefix: site-a/
#     access-key-id-env: OFFSITE_KEY_ID
#     secret-access-key-file: /etc/camdl/offsite.secret
#   - name: nas
#     kind: rclone             # any rclone remote, credentials in rclone's config
#     remote: "nas:cameras"
#   - name: usb
#     kind: directory
#     path: /mnt/backup/cameras

# Shared by every camera unless a camera sets its own.
defaults:
  rate-limit: 90        # Mbps per camera; 0 = only the global limit
  since: 30d            # window: 30d, 12h, or an ISO date/time in camera time

cameras:
  - name: north-gate
    kind: timelapse             # Axis Timelapse2 1.x / Timelapse 3.x / TimelapseMe (detected)
    host: https://10.0.0.21     # host, host:port or http(s)://host[:port]
    username: root
    password-file: /etc/camdl/north-gate.pass   # first line; or password-env: NORTH_GATE_PASSWORD
    insecure: true              # self-signed certificate; or ca-file: /etc/camdl/site-ca.pem
    rate-limit: 50
    time-zone: Europe/Berlin    # the camera's zone: the day of each archive in the layout
    delete-after: false         # true: delete on the camera what the ledger holds as verified

  - name: kitchen
    kind: amcrest               # Amcrest / Dahua camera or NVR
    host: 10.0.0.31
    username: admin
    password-env: KITCHEN_PASSWORD
    channels: [1]               # or all
    since: 2026-01-16T00:00:00  # camera wall-clock time
    # connections: 4            # parallel downloads (at most 4)

  # - name: dock
  #   kind: axis-edge           # an Axis camera's own recordings (SD card, network share)
  #   host: https://10.0.0.41
  #   username: root
  #   password-env: DOCK_PASSWORD
  #   delete-after: true        # remove.cgi once the archive holds each recording verified, whole

  # - name: lobby-nvr
  #   kind: hikvision           # Hikvision camera or NVR (ISAPI)
  #   host: 10.0.0.51
  #   username: admin
  #   password-env: LOBBY_PASSWORD
  #   channels: all             # or [1, 2]; its time zone is learnt from the recorder

# Who hears when something goes wrong (once, and again when it recovers). Test: camdl notify --test
# notify:
#   - kind: ntfy
#     url: https://ntfy.sh/camdl-site-a-7f3e9c   # a topic nobody guesses; token-env: for your own server
#   - kind: healthchecks
#     url: https://hc-ping.com/<uuid>            # also catches the run that never happened
# alerts:
#   camera-unreachable-after: 2                  # failed runs in a row (or a duration: 12h)
#   camera-silent-after: 2d                      # answers, but no new recording for this long
#   repeat: 24h                                  # re-send while a condition lasts
#   min-free: 10%                                # free space on the archive's disk (or 50GiB)
# metrics:
#   textfile: /var/lib/prometheus/node-exporter/camdl.prom
`;
