// The values of a catalogue text's {placeholders} in `text`, as it was said (null: not that message): how the
// kiosk and the survey tablet say a message again in the other language, its values read back from it.
export function readParams(template, text) {
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
