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
	"time"
	"tongbao"

	"github.com/BurntSushi/toml"

	"tongbao/reports"
	"tongbao/scoring"
	"tongbao/sources"
)

// Config is the part of tongbao.toml the workspace and its libraries use:
// one struct tree with defaults in code, each section owned by its package
// (sources: [import], scoring: [scoring], reports: [fonts], pipeline: the
// rest). The service's [schedules] and the portal's [web] are theirs
// (ReadSection). A missing key takes its default; an unknown key is an
// error that names it.
type Config struct {
	District string `toml:"district"` // 江津区
	Organ    string `toml:"organ"`    // issuing organ, printed on bulletins
	// Zone is the time zone of every period, schedule, date and time that
	// tongbao computes, prints or mails (and of "the current month" that
	// import rules refuse later periods by).
	Zone       string                 `toml:"zone"`
	Workspace  WorkspaceConfig        `toml:"workspace"`
	Collection CollectionConfig       `toml:"collection"`
	Import     sources.Limits         `toml:"import"`
	Scoring    scoring.Config         `toml:"scoring"`
	Document   reports.DocumentConfig `toml:"document"`
	Fonts      reports.FontPaths      `toml:"fonts"`
	Delivery   DeliveryConfig         `toml:"delivery"`
	// Aliases are the office's own column headers, per dataset and field.
	Aliases sources.Aliases `toml:"aliases"`
}

// DefaultConfig is the Jiangjin default.
func DefaultConfig() Config {
	return Config{
		District:   "江津区",
		Organ:      "江津区安全生产委员会办公室",
		Zone:       "Asia/Shanghai",
		Workspace:  WorkspaceConfig{LockWaitSeconds: 60},
		Collection: CollectionConfig{DeadlineDay: 3},
		Import:     sources.DefaultLimits(),
		Scoring:    scoring.DefaultConfig(),
		Document:   reports.DefaultDocumentConfig(),
		Delivery:   defaultDelivery(),
	}
}

// Validate checks the sections every command uses (not [delivery], which
// only the service uses: it validates it when it starts).
func (c Config) Validate() error {
	if strings.TrimSpace(c.District) == "" {
		return errors.New("district must not be empty")
	}
	if strings.TrimSpace(c.Organ) == "" {
		return errors.New("organ must not be empty")
	}
	if _, err := time.LoadLocation(c.Zone); err != nil {
		return fmt.Errorf("zone: %w", err)
	}
	for _, v := range []interface{ Validate() error }{c.Workspace, c.Collection, c.Import, c.Scoring, c.Document, c.Fonts, c.Aliases} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// WorkspaceConfig is [workspace].
type WorkspaceConfig struct {
	// LockWaitSeconds is how long a writing command waits for another
	// tongbao holding the workspace before it gives up (exit 4).
	LockWaitSeconds int `toml:"lock_wait_seconds"`
}

// Validate names the first bad key.
func (c WorkspaceConfig) Validate() error {
	if c.LockWaitSeconds < 0 || c.LockWaitSeconds > 86400 {
		return fmt.Errorf("workspace.lock_wait_seconds must be 0–86400, got %d", c.LockWaitSeconds)
	}
	return nil
}

// CollectionConfig is [collection]: when the office began collecting.
type CollectionConfig struct {
	// Start is the first month collected (2022-01); months before it are
	// not evaluated and break no streak of last places. "" : from the
	// first data in the workspace.
	Start string `toml:"start"`
	// DeadlineDay is the day of the next month by which a month's
	// enforcement report and accident ledger are due.
	DeadlineDay int `toml:"deadline_day"`
}

// Validate names the first bad key.
func (c CollectionConfig) Validate() error {
	if c.DeadlineDay < 1 || c.DeadlineDay > 28 {
		return fmt.Errorf("collection.deadline_day must be 1–28, got %d", c.DeadlineDay)
	}
	if c.Start == "" {
		return nil
	}
	if _, err := tongbao.ParseMonth(c.Start); err != nil {
		return fmt.Errorf("collection.start must be a month such as 2022-01, got %q", c.Start)
	}
	return nil
}

// Deadline is when month m's reports are due: the end of DeadlineDay of
// the next month, in loc.
func (c CollectionConfig) Deadline(m tongbao.Month, loc *time.Location) time.Time {
	next := m.Add(1)
	return time.Date(next.Year, time.Month(next.Month), c.DeadlineDay, 0, 0, 0, 0, loc).AddDate(0, 0, 1)
}

// StartMonth is Start as a month (zero when not set).
func (c CollectionConfig) StartMonth() tongbao.Month {
	m, _ := tongbao.ParseMonth(c.Start)
	return m
}

// ConfigError is a problem with tongbao.toml, in Chinese for the user.
type ConfigError struct {
	Path string
	Msg  string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("配置文件「%s」：%s", e.Path, e.Msg) }

// Unwrap gives the code: a bad config is refused input.
func (e *ConfigError) Unwrap() error { return tongbao.EInvalid }

// foreignTables are the tables of tongbao.toml other packages own: they
// read (and check) them when they need them (ReadSection).
var foreignTables = map[string]bool{"schedules": true, "web": true}

// readConfig decodes tongbao.toml into v and lists the keys v does not
// know whose top-level key keep says to keep.
func readConfig(path string, v any, keep func(top string) bool) (toml.MetaData, []string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return toml.MetaData{}, nil, nil
	}
	if err != nil {
		return toml.MetaData{}, nil, fmt.Errorf("read config %q: %w", path, err)
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err != nil {
		return md, nil, &ConfigError{Path: path, Msg: "无法解析：" + err.Error()}
	}
	var unknown []string
	for _, k := range md.Undecoded() {
		if len(k) > 0 && keep(k[0]) {
			unknown = append(unknown, k.String())
		}
	}
	return md, unknown, nil
}

func unknownKeys(path string, keys []string) error {
	return &ConfigError{Path: path, Msg: "未知的配置项「" + strings.Join(keys, "」「") + "」"}
}

// LoadConfig reads the workspace's sections of tongbao.toml over the
// defaults and validates them. Tables owned by other packages are left to
// them; any other unknown key is refused, by name.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	md, unknown, err := readConfig(path, &cfg, func(top string) bool { return !foreignTables[top] })
	if err != nil {
		return cfg, err
	}
	if len(unknown) > 0 {
		return cfg, unknownKeys(path, unknown)
	}
	// [schedules] zone of earlier versions: the top-level zone now.
	if !md.IsDefined("zone") {
		var old struct {
			Schedules struct {
				Zone string `toml:"zone"`
			} `toml:"schedules"`
		}
		if data, err := os.ReadFile(path); err == nil {
			if toml.Unmarshal(data, &old) == nil && old.Schedules.Zone != "" {
				cfg.Zone = old.Schedules.Zone
			}
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, &ConfigError{Path: path, Msg: "配置无效：" + err.Error()}
	}
	return cfg, nil
}

// Section is a table of tongbao.toml that another package owns.
type Section interface {
	Validate() error // names the first bad key
}

// LoadSection reads one such table ([schedules], [web]) over the defaults
// already in into and validates it, once, as the workspace's own tables are.
func (w *Workspace) LoadSection(table string, into Section) error {
	if err := w.readSection(table, into); err != nil {
		return err
	}
	if err := into.Validate(); err != nil {
		return &ConfigError{Path: w.ConfigPath(), Msg: "配置无效：" + err.Error()}
	}
	return nil
}

// readSection decodes one table that another package owns ([schedules],
// [web]) over the defaults already in into, refusing a key it does not
// know. The owner validates the result.
func (w *Workspace) readSection(table string, into any) error {
	path := w.path("tongbao.toml")
	var raw map[string]toml.Primitive
	md, _, err := readConfig(path, &raw, func(string) bool { return false })
	if err != nil {
		return err
	}
	p, ok := raw[table]
	if !ok {
		return nil
	}
	if err := md.PrimitiveDecode(p, into); err != nil {
		return &ConfigError{Path: path, Msg: "配置项「" + table + "」无法解析：" + err.Error()}
	}
	var unknown []string
	for _, k := range md.Undecoded() {
		if len(k) > 1 && k[0] == table {
			unknown = append(unknown, k.String())
		}
	}
	if len(unknown) > 0 {
		return unknownKeys(path, unknown)
	}
	return nil
}

// defaultConfigText is what init writes: every key of the workspace's
// sections with its default, commented (the service and the portal add theirs).
const defaultConfigText = `# tongbao 配置文件。未写出的项取默认值；写错的项名会在启动时报错。

# 行政区名称，用于通报标题
district = "江津区"
# 发文机关（通报红头）
organ = "江津区安全生产委员会办公室"
# 时区：期间、定时任务以及打印和邮件中的日期时间都按此时区计算
zone = "Asia/Shanghai"

[workspace]
# 写入工作区的命令（导入、生成通报等）在另一个 tongbao 进程占用工作区时最多等待的秒数，超时退出（退出码 4）
lock_wait_seconds = 60

[collection]
# 开始收集数据的月份，如 "2022-01"；此前的月份不作执法评价，也不计入连续末位月数。留空则从工作区最早的数据算起
start = ""
# 每月报送截止日：次月几日（含当日）前报送上月的执法检查月报和事故台账
deadline_day = 3

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

# 公文格式（GB/T 9704-2012）
[document]
# 份号：六位数字，留空不印
copy_number = ""
# 红头中发文机关名称后的“文件”二字：留空或 "文件"
mark_suffix = ""
# 发文字号前缀：江津安委办 → 江津安委办〔2022〕12号；序号按年在工作区 numbers.json 中累加，也可用 --number 指定；留空不印发文字号
number_prefix = "江津安委办"
# 主送机关
addressees = "各镇街、平台，区安委会各成员单位"
# 版记中的抄送机关，留空不印
copy_to = "区安委会主任、副主任，区委办公室，区政府办公室"
# 版记中的印发机关，留空即发文机关
printer = ""

# 通报字体（TrueType .ttf，不支持 .ttc/.otf）。留空时：Windows 上自动使用系统字体文件夹中的仿宋（simfang.ttf）、
# 黑体（simhei.ttf）、楷体（simkai.ttf）和方正小标宋（FZXBSJW.TTF），找不到则用内置开源字体（文鼎宋体、文鼎楷体、Droid 黑体）
[fonts]
title = ""
body = ""
heading1 = ""
heading2 = ""
# 表格和图表
figures = ""
# 查找系统字体的文件夹，留空即 Windows 的 %WINDIR%\Fonts
system_dir = ""

# 表头别名：各单位报表的列名不是规范名称、导入提示“可能是……？”时，在这里按数据类型和字段登记，下次导入生效。
# 数据类型：enforcement（执法检查月报）、accidents（事故台账）、quotas（控制指标）、assessments（十条措施评估）。例如：
# [aliases.enforcement]
# inspections = ["检查数量"]
# cases = ["立案数"]

[scoring]
# 第7项（执法“清零”和执法强度提升）由执法数据计算；评估表中填写的第7项不予采用
item7_data_driven = true

# 月度执法指数的权重（合计 100）：立案、罚款、检查家次、发现隐患按组内最大值折算，整改率按比例计分
[scoring.weights]
cases = 35
fines = 15
inspections = 20
hazards_found = 15
rectification = 15

# 末位通报：本月死亡事故达到 fatal_accidents 起、或发生 accident_level 及以上事故、或超指标，即为“事故多发”；
# 连续 interview_months 个月被通报的单位建议约谈
[scoring.last_place]
fatal_accidents = 2
accident_level = "较大"
interview_months = 2

# 季度“十条措施”评估：各项满分、第7项每个立案为 0 的月份扣分、加分上限、一票否决的事故等级、总分上限
[scoring.quarterly]
measure_weights = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10]
zero_case_penalty = 2
bonus_cap = 5
veto_level = "较大"
max_total = 100

# 等级下限：优秀、良好、合格；低于合格为不合格
[scoring.grades]
excellent = 90
good = 80
pass = 60

# 排名分组：镇街和平台一起排名，部门单独排名
[[scoring.groups]]
name = "镇街平台"
kinds = ["镇街", "平台"]

[[scoring.groups]]
name = "部门"
kinds = ["部门"]

# 事故等级（国务院令第493号）：死亡（含失踪）人数、重伤人数、直接经济损失（万元）任一达到即为该等级
[[scoring.levels]]
name = "特别重大"
deaths = 30
serious_injuries = 100
loss_wan = 10000

[[scoring.levels]]
name = "重大"
deaths = 10
serious_injuries = 50
loss_wan = 5000

[[scoring.levels]]
name = "较大"
deaths = 3
serious_injuries = 10
loss_wan = 1000
` + deliveryConfigText
