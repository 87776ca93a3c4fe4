# A local stand-in for Stripe's `stripe/stripe-mock` image, for machines that cannot pull from Docker
# Hub: the same stripe-mock release, built from Go modules as a static binary, laid out and started
# as Stripe's image does (/bin/stripe-mock, HTTP on 12111, HTTPS on 12112), so the compose file runs
# unchanged. scripts/docker-images.sh builds it only when the official image cannot be had; the
# build context is the directory holding the binary.
FROM scratch
COPY stripe-mock /bin/stripe-mock
ENTRYPOINT ["/bin/stripe-mock", "-http-port", "12111", "-https-port", "12112"]
EXPOSE 12111 12112
LABEL io.portal-infra.stand-in="built locally from github.com/stripe/stripe-mock; not Stripe's published image"
