package sources

import (
	"github.com/apache/arrow/go/v17/arrow"

	"tongbao"
)

// FieldKind says how a field's cells are read.
type FieldKind int

const (
	KindText    FieldKind = iota
	KindInt               // whole number ≥ 0
	KindDecimal           // decimal ≥ 0, tongbao.MoneyScale places
	KindDate              // date with optional time
	KindPeriod            // month, quarter or year by dataset
	KindMarker            // a per-record column: only its presence matters
)

// Field is one column an analyst's sheet may have.
type Field struct {
	Name     string   // identifier (cases)
	Label    string   // canonical Chinese header (立案查处(起))
	Aliases  []string // other headers; units in brackets are read, then left out of the match
	Kind     FieldKind
	Required bool
}

// Dataset describes one kind of file.
type Dataset struct {
	Name   string
	Label  string
	Period PeriodKind
	Fields []Field
	// Schema is the stored form of the rows: what a reader of the store gets.
	Schema *arrow.Schema
	// BatchSchema is the schema of the record batches Parse hands over: the
	// Schema with its few-valued text columns (unit names, periods, sheet
	// names) dictionary-encoded, so they are neither copied per row nor
	// hashed again when the batches are written as Parquet.
	BatchSchema *arrow.Schema
	index       map[string]int // field name → index in Fields
}

// fieldIndex returns the index of a field in Fields (-1 if none).
func (d *Dataset) fieldIndex(name string) int {
	if i, ok := d.index[name]; ok {
		return i
	}
	return -1
}

// Field returns a field by name.
// FieldNames lists the fields an analyst's sheet may have (markers left out).
func (d *Dataset) FieldNames() []string {
	var out []string
	for _, f := range d.Fields {
		if f.Kind != KindMarker {
			out = append(out, f.Name)
		}
	}
	return out
}

func (d *Dataset) Field(name string) *Field {
	for i := range d.Fields {
		if d.Fields[i].Name == name {
			return &d.Fields[i]
		}
	}
	return nil
}

// Headers lists the canonical headers, for templates.
func (d *Dataset) Headers() []string {
	var out []string
	for _, f := range d.Fields {
		if f.Kind != KindMarker {
			out = append(out, f.Label)
		}
	}
	return out
}

// unitAliases head the unit column of every dataset.
var unitAliases = []string{"单位名称", "填报单位", "镇街", "部门", "执法单位", "单位(部门)", "单位名"}

// MeasureNames are the ten measures of the quarterly assessment, items 1–10.
var MeasureNames = [10]string{
	"党政领导示范履职", "监管部门务实履职", "督查考核问责问效", "两委办统筹协调", "企业主要负责人依法履职",
	"企业落实“一线责任制”", "执法“清零”和执法强度提升", "“一案双查”和“三责同追”", "联合惩戒和群众举报", "科技兴安和信息化",
}

// decimal128 with tongbao.MoneyScale places holds exact amounts and scores.
var decimalType = &arrow.Decimal128Type{Precision: 18, Scale: tongbao.MoneyScale}

// DecimalType is the Arrow type of every decimal column.
func DecimalType() *arrow.Decimal128Type { return decimalType }

func strField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.BinaryTypes.String}
}

// dictStringType is the batch type of a text column with few distinct values.
var dictStringType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

func dictField(name string) arrow.Field { return arrow.Field{Name: name, Type: dictStringType} }

// storedSchema turns a batch schema into the stored one: dictionaries
// become plain text columns.
func storedSchema(batch *arrow.Schema) *arrow.Schema {
	fields := batch.Fields()
	for i, f := range fields {
		if f.Type.ID() == arrow.DICTIONARY {
			fields[i].Type = arrow.BinaryTypes.String
		}
	}
	return arrow.NewSchema(fields, nil)
}
func i64(name string) arrow.Field { return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64} }
func dec(name string, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: decimalType, Nullable: nullable}
}

var sourceCols = []arrow.Field{dictField("source_sheet"), {Name: "source_row", Type: arrow.PrimitiveTypes.Int32}}

var datasets = map[string]*Dataset{
	tongbao.Enforcement: {
		Name: tongbao.Enforcement, Label: "执法检查月报", Period: PeriodMonth,
		Fields: []Field{
			{Name: "unit", Label: "单位", Aliases: unitAliases, Required: true},
			{Name: "period", Label: "月份", Aliases: []string{"统计月份", "月份"}, Kind: KindPeriod},
			{Name: "inspections", Label: "检查企业(家次)", Aliases: []string{"检查家次", "检查单位(家次)"}, Kind: KindInt, Required: true},
			{Name: "hazards_found", Label: "发现隐患(条)", Kind: KindInt, Required: true},
			{Name: "major_hazards", Label: "其中重大隐患(条)", Aliases: []string{"重大隐患"}, Kind: KindInt, Required: true},
			{Name: "hazards_fixed", Label: "整改隐患(条)", Aliases: []string{"已整改隐患"}, Kind: KindInt, Required: true},
			{Name: "cases", Label: "立案查处(起)", Aliases: []string{"立案(起)", "行政处罚(起)"}, Kind: KindInt, Required: true},
			{Name: "fines", Label: "罚款金额(万元)", Aliases: []string{"罚款(万元)"}, Kind: KindDecimal, Required: true},
			{Name: "suspensions", Label: "责令停产停业整顿(家)", Kind: KindInt},
			{Name: "closures", Label: "关闭取缔(家)", Kind: KindInt},
			{Name: "transfers", Label: "移送司法机关(起)", Kind: KindInt},
			{Name: "record", Label: "被检查单位", Aliases: []string{"检查日期", "案件编号", "企业名称"}, Kind: KindMarker},
		},
		BatchSchema: arrow.NewSchema(append([]arrow.Field{
			dictField("unit"), dictField("unit_written"), dictField("period"),
			i64("inspections"), i64("hazards_found"), i64("major_hazards"), i64("hazards_fixed"), i64("cases"),
			dec("fines", false), i64("suspensions"), i64("closures"), i64("transfers"),
			{Name: "case_level", Type: arrow.FixedWidthTypes.Boolean},
		}, sourceCols...), nil),
	},
	tongbao.Accidents: {
		Name: tongbao.Accidents, Label: "生产安全事故台账", Period: PeriodMonth,
		Fields: []Field{
			{Name: "date", Label: "发生时间", Aliases: []string{"事故时间", "发生日期"}, Kind: KindDate, Required: true},
			{Name: "territory", Label: "属地", Aliases: []string{"所在镇街", "发生地点(镇街)"}, Required: true},
			{Name: "industry", Label: "行业领域", Aliases: []string{"所属行业"}, Required: true},
			{Name: "department", Label: "监管部门", Aliases: []string{"行业主管部门"}},
			{Name: "enterprise", Label: "事故单位"},
			{Name: "type", Label: "事故类型"},
			{Name: "deaths", Label: "死亡(人)", Kind: KindInt, Required: true},
			{Name: "missing", Label: "失踪(人)", Kind: KindInt},
			{Name: "serious_injuries", Label: "重伤(人)", Kind: KindInt},
			{Name: "injuries", Label: "受伤(人)", Kind: KindInt},
			{Name: "loss", Label: "直接经济损失(万元)", Kind: KindDecimal},
			{Name: "level", Label: "事故等级"},
			{Name: "summary", Label: "简要经过"},
		},
		BatchSchema: arrow.NewSchema(append([]arrow.Field{
			{Name: "date", Type: &arrow.TimestampType{Unit: arrow.Second}},
			{Name: "has_time", Type: arrow.FixedWidthTypes.Boolean},
			dictField("period"), dictField("territory"), dictField("territory_written"), dictField("industry"),
			dictField("department"), dictField("department_written"), strField("enterprise"), dictField("type"),
			i64("deaths"), i64("missing"), i64("serious_injuries"), i64("injuries"), dec("loss", false),
			dictField("level"), dictField("level_given"), strField("summary"),
		}, sourceCols...), nil),
	},
	tongbao.Quotas: {
		Name: tongbao.Quotas, Label: "事故死亡控制指标", Period: PeriodYear,
		Fields: []Field{
			{Name: "unit", Label: "单位", Aliases: unitAliases, Required: true},
			{Name: "period", Label: "年度", Aliases: []string{"年份"}, Kind: KindPeriod},
			{Name: "quota", Label: "控制指标(人)", Aliases: []string{"死亡控制指标(人)", "事故死亡控制指标"}, Kind: KindInt, Required: true},
		},
		BatchSchema: arrow.NewSchema(append([]arrow.Field{
			dictField("unit"), dictField("unit_written"), dictField("period"), i64("quota"),
		}, sourceCols...), nil),
	},
	tongbao.Assessments: {
		Name: tongbao.Assessments, Label: "十条措施季度评估", Period: PeriodQuarter,
		Fields: []Field{
			{Name: "unit", Label: "单位", Aliases: unitAliases, Required: true},
			{Name: "period", Label: "季度", Kind: KindPeriod},
			{Name: "item_no", Label: "措施序号", Kind: KindInt},
			{Name: "score", Label: "得分", Kind: KindDecimal},
			{Name: "deductions", Label: "扣分", Kind: KindDecimal},
			{Name: "bonus", Label: "加分", Kind: KindDecimal},
			{Name: "remarks", Label: "备注"},
		},
		BatchSchema: arrow.NewSchema(append(append([]arrow.Field{
			dictField("unit"), dictField("unit_written"), dictField("period"),
		}, itemFields()...), append([]arrow.Field{
			dec("deductions", false), dec("bonus", false), strField("remarks"),
		}, sourceCols...)...), nil),
	},
}

func init() {
	for _, ds := range datasets {
		ds.Schema = storedSchema(ds.BatchSchema)
		ds.index = map[string]int{}
		for i, f := range ds.Fields {
			ds.index[f.Name] = i
		}
	}
}

func itemFields() []arrow.Field {
	out := make([]arrow.Field, 10)
	for i := range out {
		out[i] = dec(ItemColumn(i+1), true)
	}
	return out
}

// ItemColumn is the stored column of measure n (1–10).
func ItemColumn(n int) string { return "item_" + string(rune('0'+n/10)) + string(rune('0'+n%10)) }

// LookupDataset returns a dataset by name.
func LookupDataset(name string) (*Dataset, bool) {
	d, ok := datasets[name]
	return d, ok
}

// DatasetLabel is the Chinese name of a dataset.
func DatasetLabel(name string) string {
	if d, ok := datasets[name]; ok {
		return d.Label
	}
	return name
}
