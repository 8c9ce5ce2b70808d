package reports

import (
	"crypto/sha256"
	"embed"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/image/font/sfnt"
)

// The shipped open-licensed Chinese TrueType fonts (licenses beside them in
// fonts/): AR PL SungtiL GB (宋体), AR PL KaitiM GB (楷体), Droid Sans
// Fallback (a 黑体-like sans). A machine without Chinese fonts prints right.
//
//go:embed fonts/gbsn00lp.ttf fonts/gkai00mp.ttf fonts/DroidSansFallbackFull.ttf
var embeddedFonts embed.FS

// Font roles of an official document.
const (
	RoleTitle    = "title"    // 2号 小标宋: the title and the issuing-organ mark
	RoleBody     = "body"     // 3号 仿宋: body text
	RoleHeading1 = "heading1" // 黑体: 一、 headings
	RoleHeading2 = "heading2" // 楷体: (一) headings and run-in headings
	RoleFigures  = "figures"  // tables and charts
	RoleLatin    = "latin"    // digits and Latin letters when a role's font lacks them; page numbers (半角宋体)
)

// The embedded fallbacks by role. No open 仿宋 or 小标宋 with full coverage
// is known: the AR PL fonts stand in for them.
var defaultFontFiles = map[string]string{
	RoleTitle: "fonts/gbsn00lp.ttf", RoleBody: "fonts/gbsn00lp.ttf", RoleHeading1: "fonts/DroidSansFallbackFull.ttf",
	RoleHeading2: "fonts/gkai00mp.ttf", RoleFigures: "fonts/gbsn00lp.ttf", RoleLatin: "fonts/gbsn00lp.ttf",
}

// SystemFontFiles are the file names under which Windows installs the
// fonts an office's documents use, by role, most wanted first: found in
// the machine-wide Fonts folder (which a service account sees too) when
// [fonts] names none.
var SystemFontFiles = map[string][]string{
	RoleTitle:    {"FZXBSJW.TTF", "方正小标宋简体.ttf", "FZXBSK.TTF", "方正小标宋_GBK.ttf"},
	RoleBody:     {"simfang.ttf", "FZFSJW.TTF", "方正仿宋简体.ttf"},
	RoleHeading1: {"simhei.ttf", "FZHTJW.TTF", "方正黑体简体.ttf"},
	RoleHeading2: {"simkai.ttf", "FZKTJW.TTF", "方正楷体简体.ttf"},
	RoleFigures:  {"simfang.ttf", "FZFSJW.TTF"},
}

var embeddedFamily = map[string]string{"fonts/gbsn00lp.ttf": "ARPLSungtiLGB", "fonts/gkai00mp.ttf": "ARPLKaitiMGB", "fonts/DroidSansFallbackFull.ttf": "DroidSansFallback"}

// Fonts are the TrueType files per role; a nil entry takes the shipped font.
// Config may point roles at other TTF files (Windows' simfang.ttf, simhei.ttf).
type Fonts map[string][]byte

// face is a parsed font: its bytes for the PDF and its glyph coverage.
type face struct {
	family string
	data   []byte
	font   *sfnt.Font
}

var (
	parsedMu sync.Mutex
	parsed   = map[string]*face{} // by family: embedded fonts are parsed once
)

// faces resolves every role to a parsed font.
func (fs Fonts) faces() (map[string]*face, error) {
	out := map[string]*face{}
	for role, file := range defaultFontFiles {
		// Family names become PDF name objects: letters and digits only.
		data, family := fs[role], embeddedFamily[file]
		if data != nil {
			sum := sha256.Sum256(data)
			family = fmt.Sprintf("Cfg%s%x", role, sum[:6])
		}
		parsedMu.Lock()
		f, ok := parsed[family]
		parsedMu.Unlock()
		if !ok {
			if data == nil {
				var err error
				if data, err = embeddedFonts.ReadFile(file); err != nil {
					return nil, fmt.Errorf("read embedded font %s: %w", file, err)
				}
			}
			sf, err := sfnt.Parse(data)
			if err != nil {
				return nil, fmt.Errorf("font for %s is not a TrueType font: %w", role, err)
			}
			f = &face{family: family, data: data, font: sf}
			parsedMu.Lock()
			parsed[family] = f
			parsedMu.Unlock()
		}
		out[role] = f
	}
	return out, nil
}

// has reports whether the font has a glyph for r.
func (f *face) has(r rune) bool {
	var b sfnt.Buffer
	i, err := f.font.GlyphIndex(&b, r)
	return err == nil && i != 0
}

// FontPaths point font roles at other TrueType files ([fonts] in
// tongbao.toml); an empty path takes the system's font of that role when
// SystemDir holds it (see SystemFontFiles), else the shipped one.
type FontPaths struct {
	Title    string `toml:"title"`    // 小标宋 / 宋体: title and issuing-organ mark
	Body     string `toml:"body"`     // 仿宋: body text, e.g. C:\Windows\Fonts\simfang.ttf
	Heading1 string `toml:"heading1"` // 黑体: 一、 headings, e.g. simhei.ttf
	Heading2 string `toml:"heading2"` // 楷体: （一） headings, e.g. simkai.ttf
	Figures  string `toml:"figures"`  // tables and charts
	// SystemDir is the folder searched for the roles left empty; "" is
	// Windows' machine-wide %WINDIR%\Fonts (nothing elsewhere).
	SystemDir string `toml:"system_dir"`
}

// ByRole lists the configured paths by font role.
func (f FontPaths) ByRole() map[string]string {
	out := map[string]string{}
	for role, p := range map[string]string{RoleTitle: f.Title, RoleBody: f.Body, RoleHeading1: f.Heading1, RoleHeading2: f.Heading2, RoleFigures: f.Figures} {
		if p != "" {
			out[role] = p
		}
	}
	return out
}

// Validate checks that configured fonts are TrueType files (gofpdf reads
// no .ttc or .otf); that they can be read is checked when they are.
func (f FontPaths) Validate() error {
	for role, p := range f.ByRole() {
		if ext := strings.ToLower(filepath.Ext(p)); ext != ".ttf" {
			return fmt.Errorf("fonts.%s must be a TrueType .ttf file (not .ttc or .otf), got %q", role, p)
		}
	}
	return nil
}

// UsableFont reports whether data is a TrueType font the documents can
// embed (a system font found by name may be anything).
func UsableFont(data []byte) bool {
	f, err := sfnt.Parse(data)
	if err != nil {
		return false
	}
	var b sfnt.Buffer
	i, err := f.GlyphIndex(&b, '安')
	return err == nil && i != 0
}
