package sources_test

import (
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow/go/v17/arrow"

	"tongbao/sources"
)

// Parse a GB18030 CSV in 元: the fines arrive in 万元, exact to 4 places.
func ExampleParse() {
	path := "../../shared/samples/部门执法检查月报_2022年4月.csv"
	f, _ := os.Open(path)
	defer f.Close()
	st, _ := f.Stat()
	res, err := sources.Parse(context.Background(), path, f, st.Size(),
		sources.ParseOptions{Limits: sources.DefaultLimits()},
		func(period string, rec arrow.Record) error {
			fmt.Println(period, rec.NumRows(), "rows; first fines:", rec.Column(8).ValueStr(0), "万元")
			return nil
		})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Dataset, res.Encoding, res.OK())
	// Output:
	// 2022-04 14 rows; first fines: 9.81 万元
	// enforcement GB18030 true
}
