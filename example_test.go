package tongbao_test

import (
	"fmt"

	"tongbao"
)

// Periods arrive spelled many ways; once parsed they are values.
func ExampleParseMonth() {
	for _, s := range []string{"2022-03", "2022年3月", "202203"} {
		m, err := tongbao.ParseMonth(s)
		fmt.Println(m, m.Quarter(), m.Add(-3).Chinese(), err)
	}
	q, _ := tongbao.ParseQuarter("2022年第一季度")
	fmt.Println(q, q.Prev(), q.Months()[2])
	// Output:
	// 2022-03 2022Q1 2021年12月 <nil>
	// 2022-03 2022Q1 2021年12月 <nil>
	// 2022-03 2022Q1 2021年12月 <nil>
	// 2022Q1 2021Q4 2022-03
}

// One rule gives an accident its level; its bounds come from
// [[scoring.levels]] in tongbao.toml.
func ExampleLevelRule_Of() {
	rule := tongbao.DefaultLevelRule()
	fmt.Println(rule.Of(1, 0, 0), rule.Of(3, 0, 0), rule.Of(0, 0, tongbao.Wan(5000)))
	strict, err := tongbao.NewLevelRule([]tongbao.LevelBound{{Level: tongbao.LevelLarger, Deaths: 2, SeriousInjuries: 10, Loss: tongbao.Wan(1000)}})
	fmt.Println(strict.Of(2, 0, 0), err)
	// Output:
	// 一般 较大 重大
	// 较大 <nil>
}

// A unit is found by its name or any alias, written loosely.
func ExampleRegistry_Resolve() {
	reg := tongbao.NewRegistry()
	reg.Add(tongbao.Unit{Name: "几江街道", Kind: tongbao.Town, Aliases: []string{"几江"}})
	reg.Add(tongbao.Unit{Name: "区应急局", Kind: tongbao.Department, Industries: []string{"工贸"}})
	u, ok := reg.Resolve(" 几江 ")
	fmt.Println(u.Name, u.Kind, ok)
	fmt.Println(reg.DepartmentFor("工贸"))
	// Output:
	// 几江街道 镇街 true
	// 区应急局
}

// Money is exact: 98,123 元 is 9.8123 万元.
func ExampleMoney() {
	fmt.Println(tongbao.Money(98123), tongbao.Wan(20), tongbao.FormatScaled(-1250, 2))
	// Output: 9.8123 20 -12.5
}
