package reports

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"tongbao"
)

// DocumentConfig is [document] of tongbao.toml: the GB/T 9704 elements
// an office sets once.
type DocumentConfig struct {
	CopyNumber   string `toml:"copy_number"`   // 份号: six digits top left, "" none
	MarkSuffix   string `toml:"mark_suffix"`   // after the organ in the red mark: "" or "文件"
	NumberPrefix string `toml:"number_prefix"` // 发文字号: 江津安委办 gives 江津安委办〔2022〕12号; "" none
	Addressees   string `toml:"addressees"`    // 主送机关
	CopyTo       string `toml:"copy_to"`       // 抄送机关 in 版记, "" none
	Printer      string `toml:"printer"`       // 印发机关 in 版记; "" the issuing organ
}

// DefaultDocumentConfig is the Jiangjin office's.
func DefaultDocumentConfig() DocumentConfig {
	return DocumentConfig{
		NumberPrefix: "江津安委办",
		Addressees:   "各镇街、平台，区安委会各成员单位",
		CopyTo:       "区安委会主任、副主任，区委办公室，区政府办公室",
	}
}

// Validate names the first bad key.
func (c DocumentConfig) Validate() error {
	if c.CopyNumber != "" {
		if len(c.CopyNumber) != 6 || strings.Trim(c.CopyNumber, "0123456789") != "" {
			return fmt.Errorf("document.copy_number must be six digits, got %q", c.CopyNumber)
		}
	}
	if c.MarkSuffix != "" && c.MarkSuffix != "文件" {
		return fmt.Errorf("document.mark_suffix must be \"\" or \"文件\", got %q", c.MarkSuffix)
	}
	if strings.ContainsAny(c.NumberPrefix, "〔〕[]") {
		return errors.New("document.number_prefix is the part before the year (江津安委办), without brackets")
	}
	if strings.TrimSpace(c.Addressees) == "" {
		return errors.New("document.addressees must not be empty")
	}
	return nil
}

// DocNumber is a 发文字号: 江津安委办〔2022〕12号 (the year in 六角括号, the
// sequence without leading zeros or 第).
func DocNumber(prefix string, year, seq int) string {
	if prefix == "" || seq <= 0 {
		return ""
	}
	return fmt.Sprintf("%s〔%d〕%d号", prefix, year, seq)
}

// DocInfo is what a document needs besides the figures.
type DocInfo struct {
	District string // 江津区
	Organ    string // the issuing organ: the red mark, the signature
	Document DocumentConfig
	Number   string    // 发文字号, "" none
	Issued   time.Time // the date signed and printed (成文日期, 印发日期), in Zone
	Version  int       // 1, 2 …
	// Replaces is when the version this one corrects was issued: a
	// correction (更正) is a version that replaces an issued one. Zero: not
	// a correction (a first version, or one after drafts never issued).
	Replaces        time.Time
	ReplacesVersion int // the version replaced (default Version-1)
	// Draft prints 待签发稿 where the 发文字号 goes: a version waiting for
	// 签发, whose number and date are assigned when it is signed.
	Draft bool
	Zone  *time.Location
	Fonts Fonts
}

// correction reports whether the document corrects an issued version,
// and which.
func (i DocInfo) correction() (replaced int, ok bool) {
	if i.Replaces.IsZero() {
		return 0, false
	}
	return cmp.Or(i.ReplacesVersion, i.Version-1), true
}

// correctionNote is the opening sentence of a correction.
func (i DocInfo) correctionNote(what, why string) (string, bool) {
	replaced, ok := i.correction()
	if !ok {
		return "", false
	}
	s := fmt.Sprintf("本%s为更正版（第%d版），替代%s印发的第%d版", what, i.Version, chineseDate(i.Replaces.In(i.zone())), replaced)
	if why == "" {
		return s + "，请以本版为准。", true
	}
	return s + "。" + why + "请以本版为准。", true
}

// DraftMark stands where a draft's 发文字号 will be.
const DraftMark = "待签发稿（发文字号和日期在签发时确定）"

// zone is the document's time zone (UTC when not set).
func (i DocInfo) zone() *time.Location {
	if i.Zone == nil {
		return time.UTC
	}
	return i.Zone
}

func (i DocInfo) printer() string {
	if i.Document.Printer != "" {
		return i.Document.Printer
	}
	return i.Organ
}

// correctionMark opens the title of a correction.
const correctionMark = "【更正】"

// BulletinTitle is the monthly bulletin's title (and file name stem).
func BulletinTitle(district string, m tongbao.Month) string {
	return strings.Join(bulletinTitleWords(district, m), "")
}

func bulletinTitleWords(district string, m tongbao.Month) []string {
	return []string{district, fmt.Sprintf("%d年%d月", m.Year, m.Month), "安全生产", "执法检查", "和", "事故情况", "通报"}
}

// ScorecardTitle is the quarterly scorecard's title; Chinese quotation
// marks, since Windows forbids " in file names.
func ScorecardTitle(district string, q tongbao.Quarter) string {
	return strings.Join(scorecardTitleWords(district, q), "")
}

func scorecardTitleWords(district string, q tongbao.Quarter) []string {
	return []string{district, fmt.Sprintf("%d年", q.Year), "第" + quarterName(q) + "季度", "“十条措施”", "落实情况", "绩效评估"}
}

func quarterName(q tongbao.Quarter) string { return []string{"", "一", "二", "三", "四"}[q.Q] }

func chineseDate(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// Para is one block of a document's text.
type Para struct {
	Kind int
	Lead string // a run-in heading before the text, in 楷体 ("（一）持续加大执法力度。")
	Text string
}

// Paragraph kinds. Headings and run-in leads are written without their
// numbers: numberHeadings numbers them consecutively among the sections
// present, so an empty section leaves no gap.
const (
	ParaBody = iota
	ParaHeading1
	ParaHeading2
	ParaLead // a body paragraph whose Lead is numbered like a heading2
)

var chineseNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"}

// numberHeadings numbers 一、 headings and, within each, （一） headings
// and run-in leads.
func numberHeadings(ps []Para) []Para {
	out := make([]Para, len(ps))
	h1, h2 := 0, 0
	for i, p := range ps {
		switch p.Kind {
		case ParaHeading1:
			p.Text = chineseNumbers[h1] + "、" + p.Text
			h1, h2 = h1+1, 0
		case ParaHeading2:
			p.Text = "（" + chineseNumbers[h2] + "）" + p.Text
			h2++
		case ParaLead:
			p.Lead = "（" + chineseNumbers[h2] + "）" + p.Lead
			h2++
		}
		out[i] = p
	}
	return out
}

// ParagraphText is the text of numbered paragraphs, one per line: what a
// reader sees of the letter, for tests and the mail.
func ParagraphText(ps []Para) string {
	var b strings.Builder
	for _, p := range numberHeadings(ps) {
		b.WriteString(p.Lead + p.Text + "\n")
	}
	return b.String()
}

// letter lays out the official document's first part: the head (red mark,
// 发文字号, red rule), the title (【更正】 for a correction), 主送, the
// numbered text, 附件说明 and the issuer with the date.
func (d *officialDoc) letter(info DocInfo, titleWords []string, paras []Para, attachments []string) {
	d.head(info)
	if _, ok := info.correction(); ok {
		titleWords = append([]string{correctionMark}, titleWords...)
	}
	d.title(titleWords)
	d.addressees(info.Document.Addressees)
	for _, p := range numberHeadings(paras) {
		switch p.Kind {
		case ParaHeading1:
			d.heading(RoleHeading1, p.Text)
		case ParaHeading2:
			d.heading(RoleHeading2, p.Text)
		default:
			d.body(p.Lead, p.Text)
		}
	}
	if len(attachments) > 0 {
		d.attachmentNote(attachments)
	}
	d.signature(info.Organ, chineseDate(info.Issued.In(info.zone())))
}
