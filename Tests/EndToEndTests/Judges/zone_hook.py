"""Adds a dns-01 TXT record to the zone file that the test DNS server (dns_server.py) answers from.

certbot: --manual-auth-hook "python zone_hook.py ZONE" (CERTBOT_DOMAIN and CERTBOT_VALIDATION in the environment).
lego:    EXEC_PATH=wrapper calling "python zone_hook.py ZONE present|cleanup FQDN VALUE".
"""
import json
import os
import sys


def main() -> None:
    zone_file = sys.argv[1]
    if len(sys.argv) >= 5:
        action, fqdn, value = sys.argv[2], sys.argv[3], sys.argv[4]
        if action != "present":
            return
    else:
        fqdn = "_acme-challenge." + os.environ["CERTBOT_DOMAIN"] + "."
        value = os.environ["CERTBOT_VALIDATION"]
    if not fqdn.endswith("."):
        fqdn += "."
    with open(zone_file) as handle:
        zone = json.load(handle)
    zone["records"].append({"name": fqdn, "type": "TXT", "value": value})
    temporary = zone_file + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(zone, handle)
    os.replace(temporary, zone_file)


if __name__ == "__main__":
    main()
