package sources

import (
	"testing"

	"tongbao"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		fromYuan bool
		want     int64 // scaled by 10^4
		wantErr  bool
	}{
		{"plain", "14.46", false, 144600, false},
		{"integer", "3", false, 30000, false},
		{"text with spaces", " 2.5 ", false, 25000, false},
		{"full-width digits", "１２．５", false, 125000, false},
		{"thousands separators", "1,234.5", false, 12345000, false},
		{"full-width comma", "1，234", false, 12340000, false},
		{"yuan to wan", "98,100", true, 98100, false},
		{"yuan exact four places", "98123", true, 98123, false},
		{"yuan with fen rounds half away", "98123.5", true, 98124, false},
		{"float noise", "8.800000000000001", false, 88000, false},
		{"exponent", "1.5E2", false, 1500000, false},
		{"negative", "-3", false, -30000, false},
		{"leading plus", "+7", false, 70000, false},
		{"half away from zero at fifth place", "0.00005", false, 1, false},
		{"negative half away", "-0.00005", false, -1, false},
		{"letters", "abc", false, 0, true},
		{"empty", "", false, 0, true},
		{"unit suffix", "12万元", false, 0, true},
		{"huge exponent", "1e999999", false, 0, true},
		{"overflow", "99999999999999999999", false, 0, true},
		{"two dots", "1.2.3", false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDecimal(tt.in, tt.fromYuan)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDecimal(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("ParseDecimal(%q) = %d, want %d", tt.in, got, tt.want)
			}
			fast, ferr := parseDecimalFast(tt.in, tt.fromYuan)
			if (ferr != nil) != (err != nil) || fast != got {
				t.Errorf("parseDecimalFast(%q) = %d, %v; slow path %d, %v", tt.in, fast, ferr, got, err)
			}
		})
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr error
	}{
		{"plain", "42", 42, nil},
		{"decimal zero fraction", "3.0", 3, nil},
		{"float noise", "2.9999999999999996", 3, nil},
		{"full-width", "４２", 42, nil},
		{"thousands", "1,024", 1024, nil},
		{"fraction", "2.5", 0, errNotInteger},
		{"text", "五", 0, errNotNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseIntFast(tt.in)
			if err != tt.wantErr {
				t.Fatalf("parseIntFast(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseIntFast(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecimalsShownAndRounding(t *testing.T) {
	shown := []struct {
		in   string
		want int
	}{{"100.73", 2}, {"920", 0}, {"8.800000000000001", 1}, {"100.72999999999999", 2}, {"1.5", 1}, {"98,100", 0}}
	for _, tt := range shown {
		if got := decimalsShown(tt.in); got != tt.want {
			t.Errorf("decimalsShown(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	rounds := []struct {
		v    int64
		drop int
		want int64
	}{{12345, 1, 12350}, {12344, 1, 12340}, {-12345, 1, -12350}, {125, 2, 100}, {150, 2, 200}, {7, 0, 7}}
	for _, tt := range rounds {
		if got := roundScaled(tt.v, tt.drop); got != tt.want {
			t.Errorf("roundScaled(%d, %d) = %d, want %d", tt.v, tt.drop, got, tt.want)
		}
	}
	if got := tongbao.FormatScaled(98123, 4); got != "9.8123" {
		t.Errorf("tongbao.FormatScaled = %q", got)
	}
	if got := tongbao.FormatScaled(-5, 4); got != "-0.0005" {
		t.Errorf("tongbao.FormatScaled negative = %q", got)
	}
	if got := tongbao.FormatScaled(1200000, 4); got != "120" {
		t.Errorf("tongbao.FormatScaled integer = %q", got)
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"14.46", "98,100", "１２．５", "1e3", "-0.5", "8.800000000000001", "", "abc", "1,2,3", "+.5"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, fromYuan bool) {
		v, err := ParseDecimal(s, fromYuan)
		fast, ferr := parseDecimalFast(s, fromYuan)
		if (err == nil) != (ferr == nil) || v != fast {
			t.Fatalf("fast path disagrees on %q: %d,%v vs %d,%v", s, fast, ferr, v, err)
		}
		if err != nil {
			return
		}
		// What we print must read back to the same value.
		again, err := ParseDecimal(tongbao.FormatScaled(v, tongbao.MoneyScale), false)
		if err != nil || again != v {
			t.Fatalf("round trip of %q: %d → %q → %d (%v)", s, v, tongbao.FormatScaled(v, tongbao.MoneyScale), again, err)
		}
		if i, err := ParseInt(s); err == nil && !fromYuan && i*10000 != v {
			t.Fatalf("ParseInt(%q) = %d but ParseDecimal = %d", s, i, v)
		}
	})
}
