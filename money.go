package tongbao

import (
	"errors"
	"math/big"
	"strings"
)

// MoneyScale is the number of decimals kept for 万元 amounts (98,123 元 is
// 9.8123 万元); scores and rates are kept at the same scale.
const MoneyScale = 4

// Money is an amount in 万元, exact to MoneyScale decimals (× 10^4).
type Money int64

// Wan returns an amount of whole 万元.
func Wan(n int64) Money { return Money(n * Pow10(MoneyScale)) }

// String prints the amount in 万元, trailing zeros trimmed (9.8123, 20).
func (m Money) String() string { return FormatScaled(int64(m), MoneyScale) }

// Rat is the exact amount in 万元.
func (m Money) Rat() *big.Rat { return big.NewRat(int64(m), Pow10(MoneyScale)) }

// Pow10 is 10^n for small n.
func Pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// FormatScaled prints a scaled integer with its decimals, trailing zeros trimmed.
func FormatScaled(v int64, scale int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	digits := []byte(big.NewInt(v).String())
	for len(digits) <= scale {
		digits = append([]byte{'0'}, digits...)
	}
	intPart, frac := string(digits[:len(digits)-scale]), strings.TrimRight(string(digits[len(digits)-scale:]), "0")
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// ErrTooLarge is the error of a number past what is kept (2^62 scaled).
var ErrTooLarge = errors.New("数值过大")

var (
	ratTen  = big.NewInt(10)
	maxInt  = new(big.Int).Lsh(big.NewInt(1), 62)
	bigHalf = big.NewRat(1, 2)
)

// RoundRat rounds half away from zero to an integer.
func RoundRat(r *big.Rat) *big.Int {
	a := new(big.Rat).Abs(r)
	a.Add(a, bigHalf)
	q := new(big.Int).Quo(a.Num(), a.Denom())
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// ScaleRat returns r × 10^scale rounded half away from zero, as an int64.
func ScaleRat(r *big.Rat, scale int) (int64, error) {
	m := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(ratTen, big.NewInt(int64(scale)), nil)))
	q := RoundRat(m)
	if q.CmpAbs(maxInt) >= 0 {
		return 0, ErrTooLarge
	}
	return q.Int64(), nil
}
