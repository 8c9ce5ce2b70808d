package sources

import (
	"errors"
	"math/big"
	"strings"

	"tongbao"
)

var (
	errNotNumber  = errors.New("不是有效的数字")
	errNotInteger = errors.New("应为整数")
)

// cleanNumber folds the ways people type numbers: full-width digits,
// thousands separators, surrounding spaces, a leading plus.
func cleanNumber(s string) string {
	s = tongbao.Narrow(s)
	if strings.ContainsAny(s, ", '\t\u00a0\u3000") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case ',', ' ', '\'', '\t', '\u00a0', '\u3000':
				return -1
			}
			return r
		}, s)
	}
	s = trimSpace(s)
	s = strings.TrimPrefix(s, "+")
	return s
}

// ParseNumber parses a number as people type it into spreadsheets: numbers
// stored as text, full-width digits, thousands separators, exponents.
func ParseNumber(s string) (*big.Rat, error) {
	c := cleanNumber(s)
	if c == "" || len(c) > 64 {
		return nil, errNotNumber
	}
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch >= '0' && ch <= '9', ch == '.', ch == '-', ch == 'e', ch == 'E':
		case ch == '+' && i > 0:
		default:
			return nil, errNotNumber
		}
	}
	r, ok := new(big.Rat).SetString(c)
	if !ok {
		return nil, errNotNumber
	}
	// Exponents like 1e999999 would make huge integers: refuse early.
	if r.Num().BitLen() > 256 || r.Denom().BitLen() > 256 {
		return nil, tongbao.ErrTooLarge
	}
	return r, nil
}

// ParseInt parses a whole number. Float noise from Excel (2.9999999999999996)
// is tolerated at four decimal places; 2.5 is not a whole number.
func ParseInt(s string) (int64, error) {
	r, err := ParseNumber(s)
	if err != nil {
		return 0, err
	}
	v, err := tongbao.ScaleRat(r, 4)
	if err != nil {
		return 0, err
	}
	if v%10000 != 0 {
		return 0, errNotInteger
	}
	return v / 10000, nil
}

// MoneyScale is the domain's (tongbao.MoneyScale).
const MoneyScale = tongbao.MoneyScale

// ParseDecimal parses a decimal to a scaled integer with MoneyScale places.
// With fromYuan the value is in 元 and is converted to 万元.
func ParseDecimal(s string, fromYuan bool) (int64, error) {
	r, err := ParseNumber(s)
	if err != nil {
		return 0, err
	}
	if fromYuan {
		r.Quo(r, big.NewRat(10000, 1))
	}
	return tongbao.ScaleRat(r, MoneyScale)
}

// decimalsShown counts the decimals of a number as written ("100.73" → 2).
// Float noise beyond 10 places is not counted as shown precision.
func decimalsShown(s string) int {
	c := cleanNumber(s)
	if strings.ContainsAny(c, "eE") {
		return 4
	}
	i := strings.IndexByte(c, '.')
	if i < 0 {
		return 0
	}
	n := len(c) - i - 1
	if n > 10 {
		// 8.800000000000001: Excel's binary float for a value typed with few decimals.
		r, err := ParseNumber(c)
		if err != nil {
			return 4
		}
		for d := 0; d <= 4; d++ {
			v, _ := tongbao.ScaleRat(r, 10)
			p := int64(1)
			for k := 0; k < 10-d; k++ {
				p *= 10
			}
			if v%p == 0 {
				return d
			}
		}
		return 4
	}
	return n
}

// parseIntFast reads plain ASCII digits without allocating; anything else
// goes through ParseInt.
func parseIntFast(s string) (int64, error) {
	if n, ok := plainDigits(s, 0); ok {
		return n, nil
	}
	return ParseInt(s)
}

// parseDecimalFast reads plain decimals (up to MoneyScale places) without
// allocating; anything else goes through ParseDecimal.
func parseDecimalFast(s string, fromYuan bool) (int64, error) {
	if fromYuan {
		if n, ok := plainDigits(s, 0); ok {
			return n, nil // 1 元 is 0.0001 万元: the scaled value
		}
		return ParseDecimal(s, true)
	}
	if n, ok := plainDigits(s, MoneyScale); ok {
		return n, nil
	}
	return ParseDecimal(s, false)
}

// plainDigits parses [-]ddd[.ddd] with at most scale decimals into a value
// scaled by 10^scale; ok is false for any other shape.
func plainDigits(s string, scale int) (int64, bool) {
	if len(s) == 0 || len(s) > 16 {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		if s == "" {
			return 0, false
		}
	}
	var n int64
	frac := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0 && i > 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if frac == 0 || frac > scale {
		return 0, false
	}
	digits := len(s)
	if frac < 0 {
		frac = 0
	} else {
		digits-- // the point
	}
	if digits+scale-frac > 18 {
		return 0, false // could overflow int64: take the exact path
	}
	for ; frac < scale; frac++ {
		n *= 10
	}
	if neg {
		n = -n
	}
	return n, true
}
