package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"tongbao/sources"
)

// refusalErrorLines is how many errors a refusal mail lists in its body;
// the attached marked copy has them all.
const refusalErrorLines = 30

// QueueRefusal queues, once per file content, a Chinese mail about a
// refused file (from the inbox or the portal): to the unit when the file
// names a single unit with a mailbox in units.xlsx, else to the office
// ([delivery] office, or the report recipients), so that no unit ever
// receives another's errors. marked, the marked copy, goes with it. It
// returns the addresses queued now (none without a mail server).
func (w *Workspace) QueueRefusal(ctx context.Context, name, sha string, res *sources.Result, marked string) ([]string, error) {
	cfg := w.Config.Delivery
	if cfg.SMTP.Host == "" || res == nil || len(sha) < 16 {
		return nil, nil
	}
	reg, err := w.Registry(ctx)
	if err != nil {
		return nil, err
	}
	greeting, to := "安委办：", cfg.OfficeRecipients()
	if units := res.Units; len(units) == 1 {
		if u, ok := reg.Resolve(units[0]); ok && u.Email != "" {
			to = []string{u.Email}
			greeting = Greeting(u.Name, u.Contact)
		}
	}
	var b strings.Builder
	b.WriteString(greeting + "\n\n")
	fmt.Fprintf(&b, "报送的文件「%s」未通过校验，没有导入（%d 个错误", name, res.ErrorCount)
	if res.WarningCount > 0 {
		fmt.Fprintf(&b, "、%d 个警告", res.WarningCount)
	}
	b.WriteString("）。请按下列问题改正后重新报送：\n\n")
	for i, e := range res.Errors {
		if i == refusalErrorLines {
			fmt.Fprintf(&b, "……共 %d 个错误，完整清单见附件\n", res.ErrorCount)
			break
		}
		b.WriteString("  " + strings.TrimPrefix(e.Error(), "文件「"+name+"」") + "\n")
	}
	var attach, names []string
	if marked != "" {
		abs, err := filepath.Abs(marked)
		if err != nil {
			return nil, err
		}
		attach, names = []string{abs}, []string{strings.TrimSuffix(name, filepath.Ext(name)) + "（问题标注）.xlsx"}
		b.WriteString("\n附件是标出问题单元格的文件（第一个工作表为错误清单，红色单元格有批注说明）。\n")
	}
	b.WriteString("\n（本邮件由 tongbao 自动发送，请勿直接回复）\n")
	now := w.now()
	var queued []string
	for _, addr := range to {
		id := fmt.Sprintf("refusal-%s-%s", sha[:16], SafeID(addr))
		d := &Delivery{ID: id, Kind: "refusal", Channel: ChannelSMTP, To: addr,
			Subject: fmt.Sprintf("【退回】%s未通过校验（%d 个错误）", name, res.ErrorCount), Body: b.String(), Attachments: attach, AttachmentNames: names,
			Created: now, NextAttempt: now, Status: DeliveryPending, MessageID: id + "@tongbao"}
		created, err := w.PutDelivery(d, false)
		if err != nil {
			return queued, err
		}
		if created {
			queued = append(queued, addr)
		}
	}
	return queued, nil
}
