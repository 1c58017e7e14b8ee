#!/usr/bin/python3
"""Signs a command token with PyJWT (Debian python3-jwt), the independent JWS implementation of the tests.

usage: sign.py ALG KEY_FILE KID CLAIMS_JSON
  ALG        ES256 (KEY_FILE: a PEM private key), HS256 (KEY_FILE: the secret, one trailing newline dropped as the
             gateway's ${file:} does), or none (no signature: alg none; KEY_FILE is ignored)
  KID        the key id put in the header ("-" for none)
  CLAIMS_JSON the claims, e.g. {"cmd":"ack","alarm":"a1","occurrence":7,"sub":"alice","iat":...,"exp":...,"jti":"j1"}
Prints the compact JWS on stdout.
"""
import json
import sys

import jwt


def main():
    alg, key_file, kid, claims = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    headers = {} if kid == "-" else {"kid": kid}
    if alg == "none":
        key = None
    elif alg == "HS256":
        with open(key_file, "r", encoding="utf-8") as f:
            key = f.read()
        key = key[:-1] if key.endswith("\n") else key
    else:
        with open(key_file, "rb") as f:
            key = f.read()
    print(jwt.encode(claims, key, algorithm=alg, headers=headers))


if __name__ == "__main__":
    main()
