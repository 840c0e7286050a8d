// Reads the runnable parts of a Markdown page: fenced sh/ts blocks (with the folder each runs in) and relative links.

/** A fenced block the docs test runs. */
export interface DocBlock {
  lang: 'sh' | 'ts';
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The folder it runs in, relative to the repository root: `<!-- cwd: DIR -->`, or the `examples/...` folder the sentence before names. */
  cwd: string | undefined;
}

const LANGS: Record<string, DocBlock['lang']> = { sh: 'sh', bash: 'sh', shell: 'sh', console: 'sh', ts: 'ts', typescript: 'ts' };

/**
 * The blocks of a page that are meant to run: every sh/ts fence not preceded by `<!-- illustrative -->`.
 * @example docBlocks('<!-- cwd: examples/flights -->\n```sh\nnpx sluice list\n```')[0].cwd // 'examples/flights'
 */
export function docBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]!);
    if (!open) {
      if (/^```/.test(lines[i]!)) i = closingFence(lines, i);
      continue;
    }
    const end = closingFence(lines, i);
    const lang = LANGS[open[1]!.toLowerCase()];
    const before = precedingLines(lines, i);
    if (lang && !before.some((l) => l.trim() === '<!-- illustrative -->')) {
      blocks.push({ lang, code: lines.slice(i + 1, end).join('\n'), line: i + 1, cwd: cwdOf(before) });
    }
    i = end;
  }
  return blocks;
}

/** Relative link targets of a page (`[text](target)`), without external URLs and in-page anchors. */
export function relativeLinks(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  const lines = markdown.split('\n');
  let inFence = false;
  lines.forEach((text, index) => {
    if (/^```/.test(text)) inFence = !inFence;
    if (inFence) return;
    for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      links.push({ target, line: index + 1 });
    }
  });
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (heading)
      anchors.add(
        heading[1]!
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
      );
  }
  return anchors;
}

function closingFence(lines: readonly string[], open: number): number {
  for (let j = open + 1; j < lines.length; j++) if (/^```\s*$/.test(lines[j]!)) return j;
  return lines.length;
}

/** The comment lines right above a fence and the paragraph before them. */
function precedingLines(lines: readonly string[], fence: number): string[] {
  const before: string[] = [];
  let j = fence - 1;
  while (j >= 0 && lines[j]!.trim().startsWith('<!--')) before.push(lines[j--]!);
  while (j >= 0 && lines[j]!.trim() === '') j--;
  while (j >= 0 && lines[j]!.trim() !== '' && !/^```/.test(lines[j]!)) before.push(lines[j--]!);
  return before;
}

function cwdOf(before: readonly string[]): string | undefined {
  for (const line of before) {
    const explicit = /<!--\s*cwd:\s*(\S+)\s*-->/.exec(line);
    if (explicit) return explicit[1];
  }
  for (const line of before) {
    const named = /`(examples\/[\w./-]+?)\/?`/.exec(line);
    if (named) return named[1];
  }
  return undefined;
}
