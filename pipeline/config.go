// Package pipeline owns the workspace: import (archive, Parquet partitions,
// catalog, quarantine, lock), loading facts back from the store, and the runs
// that chain import, scoring and reports.
package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"

	"tongbao/scoring"
	"tongbao/sources"
)

// Config is tongbao.toml: one struct tree with defaults in code. A missing
// key takes its default; an unknown key is an error that names it.
type Config struct {
	District string         `toml:"district"` // 江津区
	Organ    string         `toml:"organ"`    // issuing organ, printed on bulletins
	Import   sources.Limits `toml:"import"`
	Scoring  scoring.Config `toml:"scoring"`
}

// DefaultConfig is the Jiangjin default.
func DefaultConfig() Config {
	return Config{
		District: "江津区",
		Organ:    "江津区安全生产委员会办公室",
		Import:   sources.DefaultLimits(),
		Scoring:  scoring.DefaultConfig(),
	}
}

// Validate checks every section once at start.
func (c Config) Validate() error {
	if strings.TrimSpace(c.District) == "" {
		return errors.New("district must not be empty")
	}
	if strings.TrimSpace(c.Organ) == "" {
		return errors.New("organ must not be empty")
	}
	if err := c.Import.Validate(); err != nil {
		return err
	}
	return c.Scoring.Validate()
}

// ConfigError is a problem with tongbao.toml, in Chinese for the user.
type ConfigError struct {
	Path string
	Msg  string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("配置文件「%s」：%s", e.Path, e.Msg) }

// LoadConfig reads tongbao.toml over the defaults and validates the result.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read config %q: %w", path, err)
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&cfg)
	if err != nil {
		return cfg, &ConfigError{Path: path, Msg: "无法解析：" + err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return cfg, &ConfigError{Path: path, Msg: "未知的配置项「" + strings.Join(keys, "」「") + "」"}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, &ConfigError{Path: path, Msg: "配置无效：" + err.Error()}
	}
	return cfg, nil
}

// defaultConfigText is what init writes: every key with its default, commented.
const defaultConfigText = `# tongbao 配置文件。未写出的项取默认值；写错的项名会在启动时报错。

# 行政区名称，用于通报标题
district = "江津区"
# 发文机关（通报红头）
organ = "江津区安全生产委员会办公室"

[import]
# 单个文件大小上限（MB）
max_file_mb = 200
# .xlsx 解压后总大小上限（MB），防止压缩炸弹
max_uncompressed_mb = 2048
# 单个工作表行数上限
max_rows = 2000000
# 单元格字符数上限
max_cell_chars = 32767
# 退回文件 <名称>.errors.xlsx 中最多标红的错误单元格数
max_marked_errors = 1000

[scoring]
# 第7项（执法“清零”和执法强度提升）由执法数据计算；评估表中填写的第7项不予采用
item7_data_driven = true
`
