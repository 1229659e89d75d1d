/**
 * A throw-away certificate authority made with the `openssl` CLI (Debian's
 * `openssl` package; Node cannot create X.509 certificates), for tests of TLS
 * in front of Confab: a CA, and server certificates it signs for given names
 * and validity windows, expired ones included (`openssl ca -startdate/-enddate`).
 * Everything lives in one temp directory, with its own config (the system's
 * openssl.cnf is never read).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL_PATH = '/usr/bin/openssl';

const DAY_MS = 86_400_000;

export interface IssuedCert {
  /** PEM certificate file. */
  readonly certificate: string;
  /** PEM private key file. */
  readonly key: string;
}

export interface TestCa {
  readonly dir: string;
  /** The CA certificate (PEM), e.g. for NODE_EXTRA_CA_CERTS. */
  readonly caCertificate: string;
  /**
   * A server certificate signed by the CA. `names`: `DNS:localhost`, `IP:127.0.0.1`, ...;
   * validity from `fromDays` to `toDays` relative to now (negative: in the past).
   */
  issue(file: string, names: readonly string[], validity: { fromDays: number; toDays: number }): IssuedCert;
  remove(): void;
}

/** openssl ca's date format, UTC: YYYYMMDDHHMMSSZ. */
function opensslDate(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * DAY_MS).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync(OPENSSL_PATH, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() || e.message}`);
  }
}

export function createTestCa(name = 'Confab test CA', validDays = 60): TestCa {
  if (!existsSync(OPENSSL_PATH)) throw new Error(`no openssl at ${OPENSSL_PATH}: apt-get install -y openssl`);
  const dir = mkdtempSync(join(tmpdir(), 'confab-ca-'));
  mkdirSync(join(dir, 'issued'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const config = join(dir, 'openssl.cnf');
  writeFileSync(
    config,
    `[req]
distinguished_name = dn
prompt = no
[dn]
O = Confab tests
CN = ${name}
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca]
default_ca = test_ca
[test_ca]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[policy_any]
commonName = supplied
`,
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-config', config, '-extensions', 'ca_ext', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', String(validDays)]);
  return {
    dir,
    caCertificate: join(dir, 'ca.pem'),
    issue(file, names, { fromDays, toDays }) {
      const key = join(dir, `${file}.key`);
      const csr = join(dir, `${file}.csr`);
      const certificate = join(dir, `${file}.pem`);
      const ext = join(dir, `${file}.ext`);
      const cn = names[0]!.replace(/^(DNS|IP):/, '');
      writeFileSync(
        ext,
        `[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${names.join(', ')}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`,
      );
      openssl(dir, ['req', '-new', ...ec, '-config', config, '-subj', `/CN=${cn}`, '-keyout', key, '-out', csr]);
      openssl(dir, ['ca', '-batch', '-notext', '-config', config, '-extfile', ext, '-extensions', 'server_ext', '-startdate', opensslDate(fromDays), '-enddate', opensslDate(toDays), '-in', csr, '-out', certificate]);
      return { certificate, key };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
