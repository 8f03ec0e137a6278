#
# The original service's sample zones/example.com (github DNS-API/dns), recreated
# for the zone acme-sample.com: the same records in the same order, every name fully
# qualified. Files named example.* are skipped as samples, hence the other name.
#

#
# Mail for the domain goes to mail.acme-sample.com, priority 15, TTL one hour.
#
@acme-sample.com:mail.acme-sample.com:15:3600

#
# The mail host's IPv4 and IPv6 addresses (IPv6 as 32 hex digits).
#
+mail.acme-sample.com:80.68.84.102:3600
6mail.acme-sample.com:200141c8010b01020000000000000010:3600

#
# A friendlier name for the mail host.
#
Cwebmail.acme-sample.com:mail.acme-sample.com:3600

#
# SPF: the TXT text holds no ":" here, but could.
#
Tacme-sample.com:"v=spf1 mx a ptr ~all":3600

#
# The website, IPv4 then IPv6.
#
+acme-sample.com:80.68.84.111:3600
+www.acme-sample.com:80.68.84.111:3600

6acme-sample.com:200141c8010b01030000000000000111:3600
6www.acme-sample.com:200141c8010b01030000000000000111:3600


#
# SRV in the short form (name:target:port:ttl), for UDP and TCP.
#
_graphite._udp.acme-sample.com:graphite.docker.acme-sample.com:2003:3600
_graphite._tcp.acme-sample.com:graphite.docker.acme-sample.com:2003:3600


#
# CAA: flags, tag, value; the value is quoted when written without quotes.
#
!acme-sample.com:0:issue:letsencrypt.org
!secret.acme-sample.com:0:issue:"comodoca.com"

