#!/usr/bin/env bash
# Log the pulumi CLI in to the team's state bucket on an S3-compatible server.
#   STATE_BUCKET=portal-infra-state STATE_ENDPOINT=s3.example.com:9000 STATE_REGION=us-east-1 \
#   AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... scripts/ci/state-login.sh
# Path-style addressing, because most S3-compatible servers (MinIO, versitygw, Ceph) do not serve
# bucket-named hosts. STATE_DISABLE_SSL=true for a server on plain http (a test server on loopback).
# The AWS_* credentials are read by every later pulumi command too, not only by this login.
set -euo pipefail
missing=()
for v in STATE_BUCKET STATE_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
  [ -n "${!v:-}" ] || missing+=("$v")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "state-login: ${missing[*]} not set; set STATE_BUCKET and STATE_ENDPOINT as repository variables and the" \
       "credentials as secrets (see docs/drift-and-ci.md, 'Running from CI')" >&2
  exit 2
fi
url="s3://${STATE_BUCKET}?endpoint=${STATE_ENDPOINT}&s3ForcePathStyle=true&region=${STATE_REGION:-us-east-1}"
[ "${STATE_DISABLE_SSL:-false}" = true ] && url+="&disableSSL=true"
exec "${PULUMI:-pulumi}" login "$url"
