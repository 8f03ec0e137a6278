/**
 * A throw-away certificate authority for tests of managed services over TLS (Redis,
 * MySQL): a self-signed CA and a server certificate signed by it, made with openssl.
 *
 * @module
 */

/** The PEM files {@linkcode makeCertificates} writes into its directory. */
export interface TestCertificates {
  /** The CA's certificate: what a client is told to trust. */
  ca: string;
  /** The server's certificate, signed by the CA. */
  cert: string;
  /** The server's private key. */
  key: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(
      `Cannot make test certificates: openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

/**
 * Writes `ca.pem`, `server.pem` and `server.key` into `dir`: a CA valid for two days and a
 * server certificate for `names` (subject alternative names, `DNS:localhost` style;
 * default localhost and 127.0.0.1), signed by it.
 *
 * @example
 * ```ts
 * const { ca, cert, key } = await makeCertificates(dir, ["DNS:localhost"]);
 * ```
 */
export async function makeCertificates(
  dir: string,
  names: string[] = ["DNS:localhost", "IP:127.0.0.1"],
): Promise<TestCertificates> {
  const days = ["-days", "2"];
  await openssl(
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem"]
      .concat(days, ["-subj", "/CN=dns-api test CA"]),
    dir,
  );
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr"]
      .concat(["-subj", "/CN=dns-api test server"]),
    dir,
  );
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    `subjectAltName=${names.join(",")}\nbasicConstraints=CA:FALSE\n`,
  );
  await openssl(
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"]
      .concat(["-out", "server.pem", "-extfile", "ext.cnf"], days),
    dir,
  );
  return { ca: `${dir}/ca.pem`, cert: `${dir}/server.pem`, key: `${dir}/server.key` };
}
