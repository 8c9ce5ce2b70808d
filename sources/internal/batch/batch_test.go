package batch

import "testing"

// Names that share their first byte's address (one is a prefix of the
// other in the same string) get their own ids: the address cache in front
// of the dictionary's map compares lengths too.
func TestDictionaryKeepsPrefixesApart(t *testing.T) {
	whole := "石门镇石门"
	short := whole[:len("石门镇")]
	d := NewDict()
	for range 3 {
		for _, n := range []string{whole, short, "几江街道", ""} {
			d.ID(n)
		}
	}
	want := []string{whole, short, "几江街道", ""}
	if len(d.values) != len(want) {
		t.Fatalf("values = %q, want %q", d.values, want)
	}
	for i, n := range want {
		if d.values[i] != n || d.ID(n) != int32(i) {
			t.Errorf("value %d = %q (id %d), want %q", i, d.values[i], d.ID(n), n)
		}
	}
}
