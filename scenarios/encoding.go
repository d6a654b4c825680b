package scenarios

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// checkEncoding reports, at its line and column, the first thing in data
// that is not YAML's UTF-8 text: a UTF-16 or UTF-32 byte order mark, bytes
// that are not UTF-8, or a control character (YAML allows tab, line feed
// and carriage return only). The YAML parser finds these too, but without
// a position.
func checkEncoding(file string, data []byte) *FieldError {
	for _, bom := range []struct {
		mark []byte
		name string
	}{{[]byte{0, 0, 0xfe, 0xff}, "UTF-32"}, {[]byte{0xff, 0xfe, 0, 0}, "UTF-32"}, {[]byte{0xfe, 0xff}, "UTF-16"}, {[]byte{0xff, 0xfe}, "UTF-16"}} {
		if bytes.HasPrefix(data, bom.mark) {
			return &FieldError{File: file, Line: 1, Column: 1, Msg: fmt.Sprintf("the file is %s (it starts with a byte order mark); save it as UTF-8", bom.name)}
		}
	}
	line, col := 1, 0
	for i := 0; i < len(data); {
		b := data[i]
		col++
		if b < utf8.RuneSelf {
			switch {
			case b == '\n':
				line, col = line+1, 0
			case b == '\t' || b == '\r' || (b >= 0x20 && b != 0x7f):
			default:
				return &FieldError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("control character U+%04X is not allowed (YAML allows tab, line feed and carriage return)", b)}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return &FieldError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("byte 0x%02X is not UTF-8; a scenario is UTF-8 text", b)}
		}
		if !yamlPrintable(r) {
			return &FieldError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("character U+%04X is not allowed in YAML", r)}
		}
		i += size
	}
	return nil
}

// yamlPrintable is YAML 1.2's c-printable for non-ASCII characters.
func yamlPrintable(r rune) bool {
	return r == 0x85 || (r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || (r >= 0x10000 && r <= 0x10ffff)
}

// locate gives a syntax error that the parser reported without a line
// (such as "unknown anchor 'a' referenced"), or without a column (the
// depth limit, "exceeded max depth of 10000"), the position where it arises:
// the end of the shortest prefix of data that gives the same error, found
// by bisection. The parser stops at the error, so each try reads no more
// than that prefix.
func locate(fe *FieldError, data []byte) *FieldError {
	depth := strings.HasPrefix(fe.Msg, "exceeded max depth of ")
	if fe.Line > 0 && !depth {
		return fe
	}
	same := func(k int) bool {
		var n yaml.Node
		err := yaml.Unmarshal(data[:k], &n)
		return err != nil && syntaxError(fe.File, err).Msg == fe.Msg
	}
	lo, hi := 0, len(data) // same(hi) holds; find the smallest such
	if !same(hi) {
		return fe
	}
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if same(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	prefix := data[:hi]
	fe.Line = bytes.Count(prefix, []byte{'\n'}) + 1
	fe.Column = utf8.RuneCount(prefix[bytes.LastIndexByte(prefix, '\n')+1:])
	if depth {
		fe.Msg = "nested more than " + strings.TrimPrefix(fe.Msg, "exceeded max depth of ") + " levels deep (a scenario needs fewer than 10)"
	}
	return fe
}

// maxValues bounds the values (scalars, keys, lists and mappings) a
// document may hold, counted before the YAML parser builds its tree (about
// 200 bytes a value): a scenario at every limit (20,000 hosts, each with a
// clock and a disk) holds about 300,000, and the bound keeps what the
// parser allocates for a 16 MiB document under 200 MB.
const maxValues = 600_000

// checkSize reports, at its position, the first word of data beyond
// maxValues. It counts words: runs of characters other than white space
// and the flow indicators []{},, each quoted string as one, comments as
// none. Every value takes at least one word, so the count bounds the
// values from above.
func checkSize(file string, data []byte) *FieldError {
	words, line, lineStart := 0, 1, 0
	for i := 0; i < len(data); {
		c := data[i]
		switch c {
		case '\n':
			line, lineStart = line+1, i+1
			i++
			continue
		case ' ', '\t', '\r', '[', ']', '{', '}', ',':
			i++
			continue
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			continue
		}
		words++
		if words > maxValues {
			return &FieldError{File: file, Line: line, Column: utf8.RuneCount(data[lineStart:i]) + 1,
				Msg: fmt.Sprintf("more than %d values: a scenario is far smaller (20,000 hosts take about 100,000)", maxValues)}
		}
		switch c {
		case '"', '\'':
			for i++; i < len(data) && data[i] != c; i++ {
				if data[i] == '\\' && c == '"' {
					i++
				} else if data[i] == '\n' {
					line, lineStart = line+1, i+1
				}
			}
			i++
		default:
			for i < len(data) && !strings.ContainsRune(" \t\r\n[]{},", rune(data[i])) {
				i++
			}
		}
	}
	return nil
}
