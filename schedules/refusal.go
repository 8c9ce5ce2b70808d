package schedules

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"tongbao/pipeline"
)

// refusalErrorLines is how many errors a refusal mail lists in its body;
// the attached error list has them all.
const refusalErrorLines = 30

// enqueueRefusal queues, once per file, a Chinese mail about a file
// refused from the inbox: to the unit when the file names a single unit
// with a mailbox in units.xlsx, else to the office ([delivery] office, or
// the report recipients), so that no unit ever receives another's errors.
// The error list and the marked copy go with it.
func (s *Service) enqueueRefusal(ctx context.Context, name string, o *pipeline.FileOutcome) error {
	cfg := s.ws.Config.Delivery
	if cfg.SMTP.Host == "" || o.Result == nil || o.SHA256 == "" {
		return nil
	}
	reg, err := s.ws.Registry(ctx)
	if err != nil {
		return err
	}
	greeting, to := "安委办：", cfg.OfficeRecipients()
	if units := o.Result.Units; len(units) == 1 {
		if u, ok := reg.Resolve(units[0]); ok && u.Email != "" {
			to = []string{u.Email}
			greeting = pipeline.Greeting(u.Name, u.Contact)
		}
	}
	res := o.Result
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
	b.WriteString("\n附件是标出问题单元格的文件（第一个工作表为错误清单，红色单元格有批注说明）。\n")
	b.WriteString("\n（本邮件由 tongbao 自动发送，请勿直接回复）\n")
	var attach, names []string
	for _, f := range o.Rejected {
		if strings.HasSuffix(f, ".errors.xlsx") {
			abs, err := filepath.Abs(f)
			if err != nil {
				return err
			}
			attach = append(attach, abs)
			names = append(names, strings.TrimSuffix(name, filepath.Ext(name))+"（问题标注）.xlsx")
		}
	}
	now := s.clock.Now()
	for _, addr := range to {
		id := fmt.Sprintf("refusal-%s-%s", o.SHA256[:16], pipeline.SafeID(addr))
		d := &pipeline.Delivery{ID: id, Kind: "refusal", Channel: ChannelSMTP, To: addr,
			Subject: fmt.Sprintf("【退回】%s未通过校验（%d 个错误）", name, res.ErrorCount), Body: b.String(), Attachments: attach, AttachmentNames: names,
			Created: now, NextAttempt: now, Status: pipeline.DeliveryPending, MessageID: id + "@tongbao"}
		created, err := s.ws.PutDelivery(d, false)
		if err != nil {
			return err
		}
		if created {
			s.log.Info("refusal mail queued", "file", name, "to", addr)
		}
	}
	return nil
}
