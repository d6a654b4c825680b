package html_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"hasim/internal/golden"
)

// pageKey is the PNG text chunk's keyword under which a screenshot keeps
// the SHA-256 of the page it shows.
const pageKey = "hasim-page-sha256"

// TestGoldenPageScreenshot keeps the README's screenshot of the page
// (docs/worked-timeline-c-paused-kcm.png) a picture of the page hasim
// writes today: the screenshot carries the SHA-256 of the page it shows,
// and a change of the page (its script, its layout or the run's data)
// fails here until make update, with Chromium installed, takes it anew.
// The check needs no browser.
func TestGoldenPageScreenshot(t *testing.T) {
	const name = "worked-timeline-c-paused-kcm"
	path := filepath.Join("..", "..", "docs", name+".png")
	_, page := simulate(t, name, t.TempDir())
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	if golden.Updating() {
		if chromium() == "" {
			t.Fatal("make update takes the page's screenshot with Chromium, which is not installed (Debian: apt-get install -y chromium)")
		}
		b := newBrowser(t, chromium())
		// The moment the scenario is about: its split brain.
		b.load(t, page)
		if err := chromedp.Do(b.ctx, chromedp.KeyEvent("s")); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		b.check(t)
		shot, err = withText(shot, pageKey, want)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	shot, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make update, with Chromium installed, to take it)", err)
	}
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := textOf(shot, pageKey); got != want {
		t.Errorf("%s shows another page than hasim writes today (page %q, screenshot of %q): run make update, with Chromium installed", path, want, got)
	}
}

// withText inserts a tEXt chunk (keyword, text) into a PNG, before its
// IEND chunk.
func withText(p []byte, keyword, text string) ([]byte, error) {
	if len(p) < 12 || !bytes.Equal(p[len(p)-8:len(p)-4], []byte("IEND")) {
		return nil, errors.New("not a PNG ending in IEND")
	}
	body := append([]byte("tEXt"+keyword+"\x00"), text...)
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(body)-4))
	chunk.Write(body)
	binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(body))
	iend := len(p) - 12
	return append(append(append([]byte(nil), p[:iend]...), chunk.Bytes()...), p[iend:]...), nil
}

// textOf reads a tEXt chunk's text by keyword, or "".
func textOf(p []byte, keyword string) string {
	for i := 8; i+12 <= len(p); {
		n := int(binary.BigEndian.Uint32(p[i:]))
		if i+12+n > len(p) {
			return ""
		}
		typ, data := string(p[i+4:i+8]), p[i+8:i+8+n]
		if typ == "tEXt" {
			if k, v, ok := bytes.Cut(data, []byte{0}); ok && string(k) == keyword {
				return string(v)
			}
		}
		i += 12 + n
	}
	return ""
}
