package scoring

// Config holds every number scoring uses; tongbao.toml's [scoring] table.
type Config struct {
	// Item7DataDriven computes measure 7 from the enforcement data; a value
	// given in the assessments sheet is then ignored with a warning.
	Item7DataDriven bool `toml:"item7_data_driven"`
}

// DefaultConfig has the values of DESIGN.md.
func DefaultConfig() Config {
	return Config{Item7DataDriven: true}
}

// Validate names the first key that is out of range.
func (c Config) Validate() error { return nil }
