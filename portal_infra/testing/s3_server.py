"""A real S3-compatible server on loopback for Pulumi's S3 state backend: versitygw's posix backend
(a directory per bucket), started the way stripe_mock.py starts stripe-mock.

Buckets are made and listed through the S3 API itself with a minimal AWS Signature V4 request
(boto3 is not a dependency), so what a test sees is what a CI job's bucket would show.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import os
import secrets
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

from .stripe_mock import START_TIMEOUT, _dies_with_parent, free_port, wait_for_port
from .tools import end_process, versitygw_binary

REGION = "us-east-1"
_S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class S3Server:
    """versitygw bound to 127.0.0.1 with a fresh access key pair, its output in `log_path`."""

    def __init__(self, root: Path, log_path: Path, binary: Path | None = None) -> None:
        self.root = root
        self.log_path = log_path
        self.binary = binary or versitygw_binary()
        self.access_key = "portalinfra" + secrets.token_hex(4)
        self.secret_key = secrets.token_hex(20)
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def backend_url(self, bucket: str) -> str:
        """Pulumi's login URL. Without `disableSSL=true` the AWS SDK speaks HTTPS to `endpoint`
        and a plain-HTTP server answers "server gave HTTP response to HTTPS client" (measured);
        `endpoint=http://host:port` works too."""
        return f"s3://{bucket}?endpoint={self.endpoint}&s3ForcePathStyle=true&region={REGION}&disableSSL=true"

    def env(self, bucket: str) -> dict[str, str]:
        """What a pulumi process needs to keep its state in `bucket`."""
        return {"PULUMI_BACKEND_URL": self.backend_url(bucket), "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_REGION": REGION}

    def start(self) -> S3Server:
        self.root.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        log = self.log_path.open("ab")
        # The keys go by environment, not argv, so `ps` does not show them; the rest of the environment
        # is inherited (the test run's marker in it is how tests/conftest.py finds a server left running).
        env = {**os.environ, "ROOT_ACCESS_KEY_ID": self.access_key, "ROOT_SECRET_ACCESS_KEY": self.secret_key}
        self._process = subprocess.Popen(
            [str(self.binary), "--port", self.endpoint, "--region", REGION, "--quiet", "posix", str(self.root)],
            stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=_dies_with_parent(),
        )
        log.close()
        wait_for_port(self.port, START_TIMEOUT, self._process)
        return self

    def request(self, method: str, path: str, query: dict[str, str] | None = None,
                body: bytes = b"") -> tuple[int, bytes]:
        """One S3 API request signed with AWS Signature V4 (path-style addressing)."""
        query = query or {}
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        day = stamp[:8]
        payload = hashlib.sha256(body).hexdigest()
        canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items()))
        headers = {"host": self.endpoint, "x-amz-content-sha256": payload, "x-amz-date": stamp}
        signed = ";".join(sorted(headers))
        canonical = "\n".join([method, quote(path, safe="/-_.~"), canonical_query,
                               "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), signed, payload])
        scope = f"{day}/{REGION}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = _hmac(_hmac(_hmac(_hmac(f"AWS4{self.secret_key}".encode(), day), REGION), "s3"), "aws4_request")
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                    f"SignedHeaders={signed}, Signature={signature}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path + (f"?{canonical_query}" if canonical_query else ""), body=body,
                         headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def create_bucket(self, bucket: str) -> None:
        status, body = self.request("PUT", f"/{bucket}")
        if status != 200:
            raise RuntimeError(f"CreateBucket {bucket}: {status} {body[:300]!r}")

    def list_objects(self, bucket: str, prefix: str = "") -> list[S3Object]:
        """Every object under `prefix` (ListObjectsV2, following continuation tokens)."""
        found: list[S3Object] = []
        query = {"list-type": "2", "prefix": prefix}
        while True:
            status, body = self.request("GET", f"/{bucket}", query)
            if status != 200:
                raise RuntimeError(f"ListObjectsV2 {bucket}/{prefix}: {status} {body[:300]!r}")
            tree = ET.fromstring(body)
            for item in tree.iter(f"{_S3_NS}Contents"):
                found.append(S3Object(item.findtext(f"{_S3_NS}Key", ""), int(item.findtext(f"{_S3_NS}Size", "0"))))
            token = tree.findtext(f"{_S3_NS}NextContinuationToken")
            if tree.findtext(f"{_S3_NS}IsTruncated") != "true" or not token:
                return found
            query = {**query, "continuation-token": token}

    def stop(self) -> None:
        end_process(self._process)
        self._process = None

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
