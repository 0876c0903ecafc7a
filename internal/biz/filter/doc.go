// Package filter is the forbidden-word filter every outgoing SMS passes at
// accept time: thousands of words are matched in one pass over the text by an
// Aho–Corasick automaton, and each rule either rejects the message or holds
// it for an auditor.
//
// Matching sees words and text through [Normalize], one rune at a time, each
// rune mapping to at most one rune:
//
//   - width is folded (golang.org/x/text/width): full-width ＡＢＣ１２３ becomes
//     ABC123, half-width katakana ｶ becomes カ;
//   - case is folded with one-rune mappings, lower(upper(r)): A → a, and the
//     look-alikes that share an upper case fold too (ı, ſ, ς, Kelvin K);
//   - skipped, as if absent: white space of every kind (including the
//     ideographic space), control and format characters (zero-width space and
//     joiners, word joiner, BOM, soft hyphen, bidi marks, tag characters),
//     variation selectors and the other invisible default-ignorable marks,
//     punctuation and symbols (unicode.IsPunct, unicode.IsSymbol: , . * - _ |
//     、 。 【 】 ！ ★ and emoji), and invalid UTF-8 bytes;
//   - everything else — every letter, digit and mark of any script — is kept.
//
// So "违 禁 词", "违*禁*词" and "违\u200b禁词" all match the word 违禁词, and
// "ＦＡＬＵＮ" and "f.a.l.u.n" match falun. A [Hit] reports byte offsets
// into the original text, so the span includes whatever was skipped inside
// the match.
//
// Known limits: these are not folded, so a word has to be listed in each form
// that should match:
//
//   - homophones and pinyin (威禁词, weijinci), traditional against simplified
//     characters (違禁詞), characters split into components or swapped for
//     look-alikes from another script (Cyrillic а for Latin a);
//   - compatibility forms other than width: circled letters are symbols and
//     so skipped entirely, mathematical letters (𝐚), superscripts and
//     ligatures stay as they are; there is no NFC/NFKC, so a precomposed é
//     and e followed by U+0301 differ;
//   - full case folding: ß does not match "ss";
//   - digits of other scripts (٣) are kept, not mapped to ASCII;
//   - a word cannot contain a symbol or punctuation: "C++" is the word "c";
//   - there are no word boundaries: a Latin word also hits inside a longer
//     word ("ass" in "class");
//   - the Hangul filler letters (U+3164, U+FFA0) are letters and are kept.
//
// A [Filter] is immutable and safe for concurrent use. [Live] holds the
// current one, so a rebuilt list replaces the old one without stopping
// traffic.
package filter
