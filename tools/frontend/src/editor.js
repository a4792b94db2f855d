// The SPARQL editor of the query page: CodeMirror 6 over the page's <textarea>.
//
// The textarea stays the form field (the page works without JavaScript); the editor
// writes its text back before the form is sent. Exposed as window.CrossinnovEditor.
import {autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap} from "@codemirror/autocomplete";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {bracketMatching, HighlightStyle, StreamLanguage, syntaxHighlighting} from "@codemirror/language";
import {sparql} from "@codemirror/legacy-modes/mode/sparql";
import {linter, lintGutter, setDiagnostics} from "@codemirror/lint";
import {highlightSelectionMatches, searchKeymap} from "@codemirror/search";
import {EditorState} from "@codemirror/state";
import {
  drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers,
  placeholder,
} from "@codemirror/view";
import {tags} from "@lezer/highlight";

// Colours with a contrast of at least 4.5:1 on white (WCAG AA), for the legacy mode's tokens.
const style = HighlightStyle.define([
  {tag: tags.keyword, color: "#7a1fa2", fontWeight: "600"},
  {tag: [tags.variableName, tags.special(tags.variableName)], color: "#0b5394"},
  {tag: [tags.string, tags.special(tags.string)], color: "#1d6b2f"},
  {tag: tags.number, color: "#8a4b00"},
  {tag: tags.comment, color: "#5f6368", fontStyle: "italic"},
  {tag: [tags.url, tags.link, tags.atom], color: "#a3331f"},
  {tag: [tags.operator, tags.bracket], color: "#333333"},
  {tag: tags.meta, color: "#8a4b00"},
]);

// Where a word to complete starts: a prefixed name (prefix:local), a variable, or a keyword.
const WORD = /[A-Za-z_][\w.-]*:[\w.%-]*|[A-Za-z_][\w-]*|[?$][\w]*/;

function completer(options) {
  const prefixes = options.prefixes || {};
  const terms = options.terms || [];
  const keywords = options.keywords || [];
  const lookup = options.lookup;  // async (prefix, text) => [{label, detail}]
  return async (context) => {
    const word = context.matchBefore(WORD);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const text = word.text;
    const colon = text.indexOf(":");
    if (colon >= 0) {
      const prefix = text.slice(0, colon);
      let found = terms.filter((t) => t.label.startsWith(prefix + ":"));
      if (lookup && prefixes[prefix] && !found.length) {
        found = await lookup(prefix, text.slice(colon + 1));
      }
      return {from: word.from, options: found, validFor: /^[\w:.%-]*$/};
    }
    const declared = Object.keys(prefixes).map((p) => ({
      label: p + ":", type: "namespace", detail: prefixes[p],
      apply: p + ":",
    }));
    const words = keywords.map((k) => ({label: k, type: "keyword"}));
    return {from: word.from, options: [...declared, ...words], validFor: /^[\w-]*$/};
  };
}

// An error from the server: line and column (1-based), the message.
function diagnosticsFor(state, error) {
  if (!error || !error.line) return [];
  const line = state.doc.line(Math.min(Math.max(error.line, 1), state.doc.lines));
  const from = Math.min(line.from + Math.max((error.column || 1) - 1, 0), line.to);
  const to = Math.min(Math.max(from + 1, line.to > from ? from + 1 : from), state.doc.length);
  return [{from, to: Math.max(to, from), severity: "error", message: error.message || "error"}];
}

function create(textarea, options = {}) {
  const form = textarea.form;
  const run = () => {
    textarea.value = view.state.doc.toString();
    if (options.onRun) options.onRun();
    else if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
    return true;
  };
  const extensions = [
    lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), bracketMatching(),
    closeBrackets(), highlightActiveLine(), highlightSelectionMatches(),
    StreamLanguage.define(sparql), syntaxHighlighting(style), lintGutter(),
    linter(null),
    autocompletion({override: [completer(options)], activateOnTyping: true}),
    keymap.of([
      {key: "Mod-Enter", run}, {key: "Shift-Enter", run},
      ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap,
      ...completionKeymap, indentWithTab,
    ]),
    EditorView.lineWrapping,
    // tabindex 0: the content is focusable anyway (contenteditable); saying so lets checkers
    // (axe's scrollable-region-focusable) see that a long query can be scrolled by keyboard
    EditorView.contentAttributes.of({"aria-label": options.label || "SPARQL query", tabindex: "0"}),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) textarea.value = update.state.doc.toString();
    }),
  ];
  if (options.placeholder) extensions.push(placeholder(options.placeholder));
  // the page's Content-Security-Policy allows the editor's own <style> by this nonce
  const nonce = options.nonce || (document.querySelector('meta[name="csp-nonce"]') || {}).content;
  if (nonce) extensions.push(EditorView.cspNonce.of(nonce));
  const view = new EditorView({
    state: EditorState.create({doc: textarea.value, extensions}),
  });
  textarea.parentNode.insertBefore(view.dom, textarea);
  textarea.hidden = true;
  textarea.setAttribute("aria-hidden", "true");
  if (form) form.addEventListener("submit", () => { textarea.value = view.state.doc.toString(); });
  const editor = {
    view,
    get value() { return view.state.doc.toString(); },
    set value(text) {
      view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
    },
    showError(error) {
      view.dispatch(setDiagnostics(view.state, diagnosticsFor(view.state, error)));
      const [d] = diagnosticsFor(view.state, error);
      if (d) view.dispatch({selection: {anchor: d.from}, scrollIntoView: true});
    },
    focus() { view.focus(); },
  };
  if (options.error) editor.showError(options.error);
  return editor;
}

window.CrossinnovEditor = {create};
