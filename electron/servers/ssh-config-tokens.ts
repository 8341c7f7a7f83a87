/**
 * Splits one ssh_config line into words as OpenSSH does: `keyword value` or `keyword=value`,
 * double quotes group a word, and a word starting with `#` starts a comment (after a Host
 * line's patterns or after a value alike).
 */
export function tokenizeConfigLine(line: string): string[] {
  const words: string[] = [];
  const text = line.replace(/^\s+/, '');
  // The keyword may be followed by '=' (with optional spaces around it).
  const keyword = /^([^\s=]+)\s*(?:=\s*|\s+|$)/.exec(text);
  if (!keyword || keyword[1]!.startsWith('#')) return [];
  words.push(keyword[1]!);
  let i = keyword[0].length;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length || text[i] === '#') break;
    let word = '';
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      word = end < 0 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end < 0 ? text.length : end + 1;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) word += text[i++];
    }
    words.push(word);
  }
  return words;
}
