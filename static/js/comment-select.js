/* Comment on selected words: progressive enhancement of the comment form.
 *
 * Without this script the form has a "Words you are commenting on" field to
 * paste into, and the server finds the words in the clause. With it, a button
 * under the clause text ("Comment on the selected words") copies the current
 * selection into that field, fills the hidden prefix, suffix, start and end
 * fields (text around the words and where they start, to tell copies of the
 * same words apart) and moves the focus to the comment box.
 *
 * Keyboard use: select with Shift and the arrow keys (caret browsing, F7 in
 * most browsers), then Tab to the button and press Enter or Space. The last
 * selection made in the text is remembered, so moving the focus to the button
 * does not lose it. No framework; the page works the same without it.
 */
(function () {
  "use strict";

  var CONTEXT = 32; // characters of text kept on each side of the quote

  function collapse(text) {
    return text.replace(/\s+/g, " ");
  }

  function init() {
    var source = document.querySelector("[data-comment-source]");
    var form = document.getElementById("comment-form");
    var tools = document.querySelector("[data-comment-tools]");
    if (!source || !form || !tools) {
      return;
    }
    var button = tools.querySelector("[data-comment-button]");
    var status = tools.querySelector("[data-comment-status]");
    var quote = form.querySelector("[name=quote]");
    var body = form.querySelector("[name=body]");
    if (!button || !quote || !body) {
      return;
    }
    var fields = {};
    ["prefix", "suffix", "start", "end"].forEach(function (name) {
      fields[name] = form.querySelector("[data-comment-field=" + name + "]");
    });
    var last = null;

    function textBetween(fromStart, range) {
      var r = document.createRange();
      r.selectNodeContents(source);
      if (fromStart) {
        r.setEnd(range.startContainer, range.startOffset);
      } else {
        r.setStart(range.endContainer, range.endOffset);
      }
      return collapse(r.toString());
    }

    function capture() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
        return;
      }
      var range = selection.getRangeAt(0);
      if (!source.contains(range.startContainer) || !source.contains(range.endContainer)) {
        return;
      }
      var text = collapse(range.toString()).trim();
      if (!text) {
        return;
      }
      var before = textBetween(true, range);
      var after = textBetween(false, range);
      var start = before.replace(/^\s+/, "").length;
      last = {
        quote: text,
        prefix: before.slice(-CONTEXT),
        suffix: after.slice(0, CONTEXT),
        start: start,
        end: start + text.length
      };
      button.setAttribute("aria-disabled", "false");
      var shown = text.length > 80 ? text.slice(0, 77) + "…" : text;
      status.textContent = "Selected: “" + shown + "”. Press the button to comment on these words.";
    }

    function setField(name, value) {
      if (fields[name]) {
        fields[name].value = value;
      }
    }

    function clearContext() {
      ["prefix", "suffix", "start", "end"].forEach(function (name) {
        setField(name, "");
      });
    }

    document.addEventListener("selectionchange", capture);
    source.addEventListener("mouseup", capture);
    source.addEventListener("keyup", capture);

    button.setAttribute("aria-disabled", "true");
    button.addEventListener("click", function () {
      capture();
      if (!last) {
        status.textContent =
          "First select some words in the text above: with the mouse or a finger, " +
          "or with Shift and the arrow keys (press F7 to move through the text with the keyboard).";
        return;
      }
      quote.value = last.quote;
      setField("prefix", last.prefix);
      setField("suffix", last.suffix);
      setField("start", String(last.start));
      setField("end", String(last.end));
      status.textContent = "The selected words are in the comment form. Write your comment there.";
      body.focus();
    });

    // Typing another quote by hand makes the recorded context meaningless.
    quote.addEventListener("input", clearContext);

    tools.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
