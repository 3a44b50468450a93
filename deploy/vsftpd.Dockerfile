# The FTP service of deploy/compose.yaml: Debian's vsftpd, one local account for the
# machining centres, the upload volume at /home/vsftpd. Build context: the repository root.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends vsftpd \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/run/vsftpd/empty /home/vsftpd
COPY deploy/vsftpd.conf /etc/vsftpd.conf
COPY deploy/vsftpd.pam /etc/pam.d/vsftpd-cuwatch
COPY deploy/vsftpd-entrypoint.sh /usr/local/bin/vsftpd-entrypoint
EXPOSE 21 21100-21110
VOLUME /home/vsftpd
ENTRYPOINT ["/usr/local/bin/vsftpd-entrypoint"]
