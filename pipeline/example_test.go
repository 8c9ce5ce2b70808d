package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"tongbao"

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

// With approval on, a bulletin waits for 签发 as a draft without 发文字号;
// Approve numbers and dates it and queues its delivery.
func ExampleWorkspace_Approve() {
	home, _ := os.MkdirTemp("", "tongbao-example")
	defer os.RemoveAll(home)
	if _, err := pipeline.Init(home); err != nil {
		panic(err)
	}
	at := time.Date(2022, 4, 5, 9, 0, 0, 0, time.UTC)
	ws, err := pipeline.Open(home, func() time.Time { return at })
	if err != nil {
		panic(err)
	}
	ws.Config.Delivery.Approval = true
	ws.Config.Delivery.Folder = home + "/shared"
	ctx := context.Background()
	if _, err := ws.ImportFiles(ctx, []string{"../../shared/samples/镇街平台执法检查月报_2022年3月.xlsx"}, pipeline.ImportOptions{}); err != nil {
		panic(err)
	}
	draft, err := ws.Bulletin(ctx, tongbao.Month{Year: 2022, Month: 3})
	if err != nil {
		panic(err)
	}
	fmt.Printf("v%d %s %q\n", draft.Version, draft.State, draft.Number)
	signed, err := ws.Approve(ctx, "2022-03", "王主任", 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("v%d %s %q, %d delivery queued\n", signed.Version, signed.State, signed.Number, signed.Queued)
	// Output:
	// v1 waiting ""
	// v1 issued "江津安委办〔2022〕1号", 1 delivery queued
}
