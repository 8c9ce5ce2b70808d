package pipeline

import (
	"fmt"
	"path/filepath"
	"strings"

	"tongbao/sources"
)

// Text describes an outcome to the analyst, in Chinese, one line per fact.
func (o *FileOutcome) Text() string {
	name := filepath.Base(o.Path)
	var b strings.Builder
	res := o.Result
	summary := func() string {
		if res == nil {
			return ""
		}
		var ps []string
		for _, p := range res.Periods {
			ps = append(ps, fmt.Sprintf("%s %d 行", p.Period, p.Rows))
		}
		kind := sources.DatasetLabel(res.Dataset)
		if res.CaseLevel {
			kind += "（逐案明细）"
		}
		if res.Encoding != "" {
			kind += "，编码 " + string(res.Encoding)
		}
		return kind + "：" + strings.Join(ps, "，")
	}
	switch o.Status {
	case Duplicate:
		fmt.Fprintf(&b, "已导入过：文件「%s」内容与已导入的文件相同（SHA-256 %s…），未作任何改动\n", name, o.SHA256[:12])
	case Imported:
		fmt.Fprintf(&b, "已导入：文件「%s」，%s\n", name, summary())
		for _, s := range o.Superseded {
			if len(s.Units) == 0 {
				fmt.Fprintf(&b, "  替换了 %s 的旧数据（文件「%s」）\n", s.Period, s.File)
			} else {
				fmt.Fprintf(&b, "  替换了 %s 中 %s 的旧数据（文件「%s」）\n", s.Period, strings.Join(s.Units, "、"), s.File)
			}
		}
	case Validated:
		fmt.Fprintf(&b, "校验通过：文件「%s」，%s（未导入）\n", name, summary())
	case Rejected:
		if res != nil {
			if o.DryRun {
				fmt.Fprintf(&b, "未通过校验：文件「%s」有 %d 个错误", name, res.ErrorCount)
			} else {
				fmt.Fprintf(&b, "已拒收：文件「%s」有 %d 个错误", name, res.ErrorCount)
			}
			if res.WarningCount > 0 {
				fmt.Fprintf(&b, "、%d 个警告", res.WarningCount)
			}
			if o.DryRun {
				b.WriteString("（仅校验，未导入）\n")
			} else {
				b.WriteString("，整个文件未导入\n")
			}
			for i, e := range res.Errors {
				if i == 50 {
					fmt.Fprintf(&b, "  ……共 %d 个错误，完整清单见退回文件\n", res.ErrorCount)
					break
				}
				b.WriteString("  " + e.Error() + "\n")
			}
		}
		if len(o.Rejected) > 0 {
			fmt.Fprintf(&b, "  已退回到：%s\n", strings.Join(o.Rejected, "，"))
		}
		return b.String()
	}
	if res != nil {
		for i, w := range res.Warnings {
			if i == 20 {
				fmt.Fprintf(&b, "  ……共 %d 个警告\n", res.WarningCount)
				break
			}
			b.WriteString("  " + w.Error() + "\n")
		}
	}
	return b.String()
}
