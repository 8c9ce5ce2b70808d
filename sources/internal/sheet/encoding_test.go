package sheet

import "testing"

func TestDetectEncoding(t *testing.T) {
	if e := DetectEncoding([]byte("\xEF\xBB\xBF单位")); e != UTF8BOM {
		t.Errorf("BOM: %s", e)
	}
	if e := DetectEncoding([]byte("单位,检查")); e != UTF8 {
		t.Errorf("UTF-8: %s", e)
	}
	if e := DetectEncoding([]byte{0xB5, 0xA5, 0xCE, 0xBB}); e != GB18030 { // 单位 in GBK
		t.Errorf("GB18030: %s", e)
	}
	// A multi-byte rune cut at the end of the prefix is still UTF-8.
	if e := DetectEncoding([]byte("单位")[:5]); e != UTF8 {
		t.Errorf("cut rune: %s", e)
	}
}
