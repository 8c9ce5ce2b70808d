package tongbao

// Dataset names: the four kinds of file tongbao imports.
const (
	Enforcement = "enforcement" // 执法检查月报: one row per unit and month, or per case
	Accidents   = "accidents"   // 生产安全事故台账: one row per accident
	Quotas      = "quotas"      // 事故死亡控制指标: one row per unit and year
	Assessments = "assessments" // 十条措施季度评估: one row per unit and quarter
)

// DatasetNames lists the datasets in the order they are tried.
var DatasetNames = []string{Enforcement, Accidents, Quotas, Assessments}
