// The satisfaction survey's form (SKM, docs/skm.md), shared by the phone page (/t/<token>) and the
// tablet by the exit (/survey/): the nine questions with their four choices, the optional profile
// (sex, age, education, occupation) and the suggestion or complaint. It builds the pieces; the page
// places them (all on one page on a phone, one per screen on the tablet), sends what `payload()`
// gives and shows the server's refusals at their fields with `showErrors()`.
//
// Its words: the questionnaire's wording as the server gives it (GET /api/survey, an admin's or the
// model's, both languages) and the page's catalogue (`survey.*` keys, through `opts.t`).

export function createSurveyForm(questionnaire, opts) {
  var t = opts.t;
  var touch = !!opts.touch;        // the tablet: no OS keyboard pops up, the page has its own pads
  var onChange = opts.onChange || function () {};
  var q = questionnaire;
  var lang = "id";
  var scores = {};                 // "U1" -> 1..4
  var profile = { sex: null, education: null, occupation: null };
  var blocks = {};                 // "U1".."U9", "sex", "age", "education", "occupation", "suggestion"
  var errors = {};                 // field ("answers.U3") -> its error element
  var reworded = {};               // "U4" -> true: its chosen answer was cleared, its wording having changed

  function el(tag, cls, attrs) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function words(pair) { return (pair && (pair[lang] || pair.id)) || ""; }

  function errorLine(field) {
    var p = el("p", "field-error", { "aria-live": "polite" });
    p.dataset.error = field;
    errors[field] = p;
    return p;
  }

  // -- the nine questions ------------------------------------------------------------------
  q.elements.forEach(function (element, i) {
    var code = element.code;
    var box = el("div", "q", { role: "group", "aria-labelledby": "q-" + code });
    box.dataset.field = "answers." + code;
    var head = el("p", "q-head", { id: "q-" + code });
    var num = el("span", "q-num");
    num.textContent = String(i + 1);
    head.append(num, el("span", "q-name"));
    var text = el("p", "q-text");
    var changed = el("p", "q-changed", { role: "status" });   // "this question was just changed"
    var choices = el("div", "choices");
    element.choices.forEach(function (choice) {
      var b = el("button", "choice", { type: "button", "aria-pressed": "false" });
      b.dataset.score = String(choice.score);
      var score = el("span", "choice-score", { "aria-hidden": "true" });
      score.textContent = String(choice.score);
      b.append(score, el("span", "choice-text"));
      b.addEventListener("click", function () {
        scores[code] = choice.score;
        pressed(choices, b);
        setError("answers." + code, "");
        setReworded(code, false);
        onChange("answers." + code, choice.score);
      });
      choices.appendChild(b);
    });
    box.append(head, text, changed, choices, errorLine("answers." + code));
    blocks[code] = box;
  });

  // -- the profile: three sets of choices and the age --------------------------------------
  ["sex", "education", "occupation"].forEach(function (key) {
    var box = el("div", "pgroup", { role: "group", "aria-labelledby": "p-" + key });
    box.dataset.field = "profile." + key;
    var label = el("p", "pgroup-label", { id: "p-" + key });
    label.dataset.word = "survey." + key;
    var choices = el("div", "pchoices pchoices-" + key);
    q.profile[key].forEach(function (choice) {
      var b = el("button", "pchoice", { type: "button", "aria-pressed": "false" });
      b.dataset.code = choice.code;
      b.addEventListener("click", function () {
        // Optional: tapping the chosen one again takes the choice back.
        profile[key] = profile[key] === choice.code ? null : choice.code;
        pressed(choices, profile[key] ? b : null);
        setError("profile." + key, "");
        onChange("profile." + key, profile[key]);
      });
      choices.appendChild(b);
    });
    box.append(label, choices, errorLine("profile." + key));
    blocks[key] = box;
  });

  var age = el("input", "age-input", {
    id: "survey-age", type: "text", inputmode: touch ? "none" : "numeric", maxlength: "3",
    autocomplete: "off", spellcheck: "false", "aria-describedby": "survey-age-error"
  });
  (function () {
    var box = el("div", "pgroup pgroup-age");
    box.dataset.field = "profile.age";
    var label = el("label", "pgroup-label", { for: "survey-age" });
    label.dataset.word = "survey.age";
    var error = errorLine("profile.age");
    error.id = "survey-age-error";
    age.addEventListener("input", function () { setError("profile.age", ""); onChange("profile.age", age.value); });
    box.append(label, age, error);
    blocks.age = box;
  })();

  // -- the suggestion or complaint -----------------------------------------------------------
  var suggestion = el("textarea", "suggestion-input", {
    id: "survey-suggestion", rows: "4", maxlength: String(q.suggestion_max || 2000), spellcheck: "false",
    "aria-describedby": "survey-suggestion-hint survey-suggestion-error"
  });
  if (touch) suggestion.setAttribute("inputmode", "none");
  var chars = el("p", "chars", { "aria-hidden": "true" });
  (function () {
    var box = el("div", "q-suggestion");
    box.dataset.field = "suggestion";
    var label = el("label", "pgroup-label", { for: "survey-suggestion" });
    label.dataset.word = "survey.suggestion";
    var hint = el("p", "hint", { id: "survey-suggestion-hint" });
    hint.dataset.word = "survey.suggestion_hint";
    var error = errorLine("suggestion");
    error.id = "survey-suggestion-error";
    // A paste longer than the box takes is cut by the browser (maxlength) without a word: a complaint copied from
    // another app would lose its end (a name, a date) unseen. The cut is said at the box, with how much.
    var cut = 0;
    suggestion.addEventListener("paste", function (ev) {
      var data = ev.clipboardData ? ev.clipboardData.getData("text") : "";
      var max = suggestion.maxLength;
      var kept = suggestion.value.length - (suggestion.selectionEnd - suggestion.selectionStart);
      cut = max > 0 ? Math.max(0, kept + data.replace(/\r\n/g, "\n").length - max) : 0;
    });
    suggestion.addEventListener("input", function () {
      renderChars();
      setError("suggestion", cut ? t("survey.paste_cut", { max: suggestion.maxLength, cut: cut }) : "");
      cut = 0;
      onChange("suggestion", suggestion.value);
    });
    box.append(label, hint, suggestion, chars, error);
    blocks.suggestion = box;
  })();

  function pressed(group, button) {
    group.querySelectorAll("button").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  }

  function setReworded(code, on) {
    // The note at a question whose chosen answer was cleared because its wording changed.
    if (on) reworded[code] = true; else delete reworded[code];
    // written only when it changes: the phone redraws at every event, and a status rewritten is said again
    var note = blocks[code].querySelector(".q-changed");
    var text = on ? t("survey.question_changed") : "";
    if (note.textContent !== text) note.textContent = text;
  }

  function clearChoice(code) {
    delete scores[code];
    pressed(blocks[code].querySelector(".choices"), null);
    setReworded(code, true);
  }

  function renderChars() {
    chars.textContent = t("survey.chars", { n: suggestion.value.length, max: q.suggestion_max || 2000 });
  }

  // -- the page's side ------------------------------------------------------------------------
  function render(newLang) {
    // Every word in `newLang`; what was chosen or typed stays.
    lang = newLang === "en" ? "en" : "id";
    q.elements.forEach(function (element) {
      var box = blocks[element.code];
      box.querySelector(".q-name").textContent = words(element.name);
      box.querySelector(".q-text").textContent = words(element.question);
      element.choices.forEach(function (choice) {
        box.querySelector('[data-score="' + choice.score + '"] .choice-text').textContent = words(choice);
      });
    });
    ["sex", "education", "occupation"].forEach(function (key) {
      q.profile[key].forEach(function (choice) {
        blocks[key].querySelector('[data-code="' + choice.code + '"]').textContent = words(choice);
      });
    });
    Object.keys(blocks).forEach(function (key) {
      blocks[key].querySelectorAll("[data-word]").forEach(function (n) { n.textContent = t(n.dataset.word); });
    });
    Object.keys(reworded).forEach(function (code) { setReworded(code, true); });
    renderChars();
  }

  function wordingOf(element) {
    // An element's question and choices in both languages, to compare two wordings by.
    return JSON.stringify([element.question, element.choices.map(function (c) { return [c.score, c.id, c.en]; })]);
  }

  function retext(newQuestionnaire) {
    // An admin changed the wording (a settings_changed event): the same nine elements, new words. An
    // answer chosen under an element's old words is no answer to its new ones: it is cleared, and the
    // question says so; the answers to the elements left as they were stay.
    if (!newQuestionnaire || !newQuestionnaire.elements) return render(lang);
    var before = {};
    q.elements.forEach(function (element) { before[element.code] = wordingOf(element); });
    q = newQuestionnaire;
    var cleared = false;
    q.elements.forEach(function (element) {
      if (before[element.code] !== wordingOf(element) && scores[element.code]) {
        clearChoice(element.code);
        cleared = true;
      }
    });
    render(lang);
    if (cleared) onChange("wording", q.wording);   // the answers changed: a new submission
  }

  function fill(response) {
    // A response to correct (the phone page's "Ubah jawaban"), or nothing: every choice and text cleared.
    // An element whose wording changed since it was answered (`wording_changed`) is asked again.
    var r = response || {};
    var answers = r.answers || {};
    var prof = r.profile || {};
    var changed = r.wording_changed || [];
    q.elements.forEach(function (element) {
      var code = element.code;
      var score = answers[code];
      if (score && changed.indexOf(code) >= 0) {
        clearChoice(code);
        return;
      }
      setReworded(code, false);
      if (score) scores[code] = score; else delete scores[code];
      var group = blocks[code].querySelector(".choices");
      pressed(group, score ? group.querySelector('[data-score="' + score + '"]') : null);
    });
    ["sex", "education", "occupation"].forEach(function (key) {
      profile[key] = prof[key] || null;
      var group = blocks[key].querySelector(".pchoices");
      pressed(group, profile[key] ? group.querySelector('[data-code="' + profile[key] + '"]') : null);
    });
    age.value = prof.age == null ? "" : String(prof.age);
    suggestion.value = r.suggestion || "";
    clearErrors();
    renderChars();
  }

  function draft() {
    // What the visitor has chosen and typed so far, as the phone page keeps it over a reload (a phone
    // reloads a tab left in the background): each answer with the words it was given to, so that one
    // restored under other words is asked again (restore).
    var answers = {};
    q.elements.forEach(function (element) {
      if (scores[element.code]) answers[element.code] = [scores[element.code], wordingOf(element)];
    });
    return {
      answers: answers,
      profile: { sex: profile.sex, education: profile.education, occupation: profile.occupation, age: age.value },
      suggestion: suggestion.value
    };
  }

  function restore(kept) {
    // A draft() back in the form: an answer given to words that are not the questionnaire's now is cleared
    // and its question says so, as after a live change of the wording.
    var d = kept || {};
    var answers = {};
    var changed = [];
    q.elements.forEach(function (element) {
      var given = (d.answers || {})[element.code];
      if (!given) return;
      answers[element.code] = given[0];
      if (given[1] !== wordingOf(element)) changed.push(element.code);
    });
    fill({ answers: answers, profile: d.profile, suggestion: d.suggestion, wording_changed: changed });
  }

  function payload() {
    // What POST /api/survey takes; the server checks it and names each bad field. A text is sent only
    // when one is written: no `suggestion` says "no text", and in a correction the text sent before
    // stays (the server never takes away what a visitor wrote; a new text replaces it, kept in history).
    var answers = {};
    q.elements.forEach(function (element) {
      if (scores[element.code]) answers[element.code] = scores[element.code];
    });
    var years = age.value.trim();
    var out = {
      answers: answers,
      profile: {
        sex: profile.sex, education: profile.education, occupation: profile.occupation,
        age: years === "" ? null : /^[0-9]+$/.test(years) ? parseInt(years, 10) : years
      }
    };
    if (suggestion.value.trim() !== "") out.suggestion = suggestion.value;
    // The wording these answers were given under: the server keeps them as answers to it.
    if (typeof q.wording === "number") out.wording = q.wording;
    return out;
  }

  function answered(code) { return !!scores[code]; }

  function setError(field, text) {
    var p = errors[field];
    if (!p) return false;
    p.textContent = text || "";
    var box = p.parentNode;
    box.classList.toggle("invalid", !!text);
    var input = box.querySelector("input, textarea");
    if (input) {
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
    return true;
  }

  function clearErrors() {
    Object.keys(errors).forEach(function (field) { setError(field, ""); });
  }

  function showErrors(fields) {
    // The server's 422 `fields` at their questions; returns the fields with no place here (a page's own,
    // like "token" or "ticket") and the first block with an error, in the form's order.
    clearErrors();
    var other = {};
    Object.keys(fields || {}).forEach(function (field) {
      if (!setError(field, fields[field])) other[field] = fields[field];
    });
    var first = null;
    order().some(function (key) {
      if (blocks[key].classList.contains("invalid")) { first = key; return true; }
      return false;
    });
    return { other: other, first: first };
  }

  function order() {
    return q.elements.map(function (e) { return e.code; }).concat(["sex", "age", "education", "occupation", "suggestion"]);
  }

  render(lang);
  return {
    blocks: blocks, order: order, render: render, retext: retext, fill: fill, payload: payload,
    answered: answered, showErrors: showErrors, clearErrors: clearErrors, age: age, suggestion: suggestion,
    renderChars: renderChars, draft: draft, restore: restore
  };
}
