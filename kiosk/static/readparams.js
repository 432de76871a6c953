// The values of a catalogue text's {placeholders} in `text`, as it was said (null: not that message): how the
// kiosk, the survey tablet and the phone page say a message again in the other language, its values read back
// from it.
export function readParams(template, text) {
  // A template of placeholders only ("{detail}") would read any text as itself: it names no message.
  if (!template.replace(/\{[a-z_]+\}/g, "").trim()) return null;
  const names = [];
  const pattern = template
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const name = /^\{([a-z_]+)\}$/.exec(part);
      if (name) {
        names.push(name[1]);
        return "([\\s\\S]*?)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  const found = new RegExp("^" + pattern + "$").exec(text);
  if (!found) return null;
  const params = {};
  names.forEach((n, i) => (params[n] = found[i + 1]));
  return params;
}

// `text` said in another language (`words`: that language's catalogue) in the page's own (`t`: its
// translator): the same message of a key `keys` matches (the server's `error.*`, the page's own words), its
// values read back from the text. A text the catalogue does not have stays as it was said; a template of
// placeholders only is never matched (readParams).
export function sayAgain(text, words, t, keys = /^(error|survey)\./) {
  if (!text) return text;
  const mine = Object.keys(words || {}).filter((k) => keys.test(k));
  for (const k of mine) if (words[k] === text) return t(k);
  for (const k of mine) {
    const template = words[k];
    if (template.indexOf("{") < 0) continue;
    const params = readParams(template, text);
    if (params) return t(k, params);
  }
  return text;
}
