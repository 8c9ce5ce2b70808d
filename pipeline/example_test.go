package pipeline_test

import (
	"context"
	"fmt"
	"os"

	"tongbao/pipeline"
)

// Create a workspace, import a town report, and import it again.
func ExampleWorkspace_ImportFiles() {
	home, _ := os.MkdirTemp("", "tongbao-example")
	defer os.RemoveAll(home)
	if _, err := pipeline.Init(home); err != nil {
		panic(err)
	}
	ws, err := pipeline.Open(home, nil)
	if err != nil {
		panic(err)
	}
	file := "../../shared/samples/镇街平台执法检查月报_2022年3月.xlsx"
	for range 2 {
		outs, err := ws.ImportFiles(context.Background(), []string{file}, pipeline.ImportOptions{})
		if err != nil {
			panic(err)
		}
		fmt.Println(outs[0].Status, outs[0].Result.Rows())
	}
	// Output:
	// imported 32
	// duplicate 0
}
