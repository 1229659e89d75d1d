/**
 * Just enough of a Dockerfile parser to check our own Dockerfile's structure
 * (no Docker engine here): instructions with continuation lines joined,
 * grouped into build stages, and a .dockerignore matcher.
 */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly name: string | undefined;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (line.startsWith('#')) return; // a comment inside a continued instruction
    if (pending === '') startLine = i + 1;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) return;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine });
    pending = '';
  });
  const stages: { name: string | undefined; image: string; instructions: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ image: m[1]!, name: m[2], instructions: [] });
    } else if (ins.keyword !== 'ARG' || stages.length > 0) {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      stage.instructions.push(ins);
    }
  }
  return stages;
}

/** A COPY's flags, sources and destination (shell form only, as we write them). */
export function parseCopy(args: string): { from: string | undefined; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
}

/** True when .dockerignore (simple patterns: names, paths, `*`) keeps `path` out of the build context. */
export function dockerIgnored(path: string, ignoreText: string): boolean {
  const patterns = ignoreText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  let ignored = false;
  for (const pattern of patterns) {
    const negate = pattern.startsWith('!');
    const body = (negate ? pattern.slice(1) : pattern).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(`^${body.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/.*)?$`);
    if (re.test(path.replace(/^\.\//, '').replace(/\/+$/, ''))) ignored = !negate;
  }
  return ignored;
}
