import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

/**
 * The real programs the test suite runs beside the app. Each is found the
 * same way here and by the test that uses it, so the check before the suite
 * cannot pass where the test would then fail.
 */
export interface Peer {
  name: string;
  /** Why the suite needs it. */
  usedBy: string;
  /** Where it is, or undefined when missing. */
  locate: () => string | undefined;
  install: { debian: string; macos?: string };
}

const onPath = (command: string) => {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
};

/** initdb of the newest PostgreSQL from Debian's package layout, then anything on PATH (Homebrew). */
export function postgresBinaries(): string | undefined {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const debian = majors.map((major) => path.join(root, major, "bin")).find((dir) => existsSync(path.join(dir, "initdb")));
  const initdb = debian ? undefined : onPath("initdb");
  return debian ?? (initdb ? path.dirname(initdb) : undefined);
}

export function nginxBinary(): string | undefined {
  return existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : onPath("nginx");
}

export function chromiumBinary(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file)) ?? onPath("chromium");
}

/** A Python console script that starts and answers --version (pyenv shims exist even where the package is not installed). */
function pythonTool(command: string, versionArgs: string[]): string | undefined {
  const found = onPath(command);
  if (!found) return undefined;
  try {
    execFileSync(found, versionArgs, { stdio: "pipe", timeout: 20_000 });
    return found;
  } catch {
    return undefined;
  }
}

export const cfnLintBinary = () => pythonTool("cfn-lint", ["--version"]);
export const motoServerBinary = () => pythonTool("moto_server", ["--help"]);

export const PEERS: Peer[] = [
  {
    name: "PostgreSQL",
    usedBy: "the service's integration tests (a throw-away cluster on a free loopback port)",
    locate: () => (process.env.TEST_DATABASE_URL ? "$TEST_DATABASE_URL" : postgresBinaries()),
    install: { debian: "apt-get install -y postgresql", macos: "brew install postgresql@17" },
  },
  {
    name: "nginx",
    usedBy: "the zero-downtime test (the load balancer in front of two service instances)",
    locate: nginxBinary,
    install: { debian: "apt-get install -y nginx", macos: "brew install nginx" },
  },
  {
    name: "Chromium",
    usedBy: "the voting page test (headless, driven by playwright-core)",
    locate: chromiumBinary,
    install: { debian: "apt-get install -y chromium", macos: "brew install --cask chromium (then CHROMIUM_PATH=…)" },
  },
  {
    name: "OpenSSL",
    usedBy: "the database TLS test (a certificate authority made for the test, and a server certificate it signs)",
    locate: () => onPath("openssl"),
    install: { debian: "apt-get install -y openssl", macos: "brew install openssl" },
  },
  {
    name: "cfn-lint",
    usedBy: "the template tests (AWS's CloudFormation linter on every synthesized stage)",
    locate: cfnLintBinary,
    install: { debian: "pipx install cfn-lint", macos: "brew install cfn-lint" },
  },
  {
    name: "moto",
    usedBy: "the tests against an independent AWS (moto_server: EventBridge, ECS, Application Auto Scaling, RDS, DynamoDB)",
    locate: motoServerBinary,
    install: { debian: 'pipx install "moto[server]"', macos: 'pipx install "moto[server]"' },
  },
];

/** What is missing, as the lines a person reads before anything else runs. */
export function missingPeersReport(peers = PEERS, asRoot = process.getuid?.() === 0): string | undefined {
  const missing = peers.filter((peer) => !peer.locate());
  if (missing.length === 0) return undefined;
  const apt = missing.filter((p) => p.install.debian.startsWith("apt-get")).map((p) => p.install.debian.split(" ").at(-1));
  const pipx = missing.filter((p) => p.install.debian.startsWith("pipx")).map((p) => p.install.debian);
  // A root shell (a container, CI) often has no sudo at all.
  const sudo = asRoot ? "" : "sudo ";
  return [
    `The tests need ${missing.length === 1 ? "a program" : "programs"} that ${missing.length === 1 ? "is" : "are"} not installed:`,
    ...missing.map(
      (p) => `  - ${p.name}: ${p.usedBy}. Debian/Ubuntu: ${p.install.debian}${p.install.macos ? `; macOS: ${p.install.macos}` : ""}`,
    ),
    "Install them all at once on Debian/Ubuntu:",
    ...(apt.length + pipx.length > 0
      ? [`  ${sudo}apt-get update && ${sudo}apt-get install -y ${[...apt, ...(pipx.length > 0 ? ["pipx"] : [])].join(" ")}`]
      : []),
    // pipx puts each tool in its own environment and its command in ~/.local/bin (Debian 12 refuses a system-wide pip install).
    ...(pipx.length > 0 ? [`  ${pipx.join(" && ")} && export PATH="$HOME/.local/bin:$PATH"`] : []),
  ].join("\n");
}

/** Throws the report for the peers a test needs, so a test run without them stops at once with the install line. */
export function requirePeers(...names: string[]) {
  const report = missingPeersReport(PEERS.filter((peer) => names.includes(peer.name)));
  if (report) throw new Error(report);
}
