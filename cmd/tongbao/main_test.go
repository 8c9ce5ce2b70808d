package main

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// commandCase is one command line, its exit code and a piece of its output.
type commandCase struct {
	name     string
	args     []string
	wantCode int
	wantOut  string
}

// runCommands runs the cases in order, each as a subtest.
func runCommands(t *testing.T, tests []commandCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.wantCode || !strings.Contains(all, tt.wantOut) {
				t.Errorf("exit %d (want %d), output:\n%s\nwant it to contain %q", code, tt.wantCode, all, tt.wantOut)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	home := t.TempDir()
	samples, _ := filepath.Glob("../../../shared/samples/*")
	tmpl := filepath.Join(t.TempDir(), "模板.xlsx")
	tests := []commandCase{
		{"no command", nil, exitUsage, "用法"},
		{"help", []string{"--help"}, exitOK, "运行「tongbao help <命令>」"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "未知命令「frobnicate」"},
		{"import before init", []string{"import", "--home", home + "/none", samples[0]}, exitRefused, "请先运行 tongbao init"},
		{"init", []string{"init", "--home", home}, exitOK, "已创建工作区"},
		{"init again", []string{"init", "--home", home}, exitOK, "未覆盖任何文件"},
		{"validate refused", []string{"validate", "--home", home, "../../testdata/import/refused/镇街执法_2022年3月.xlsx"}, exitRefused, "单元格 B3"},
		{"import samples", append([]string{"import", "--home", home}, samples...), exitOK, "已导入：文件「镇街平台执法检查月报_2022年3月.xlsx」，执法检查月报：2022-03 32 行"},
		{"import again", []string{"import", samples[0], "--home", home}, exitOK, "已导入过"},
		{"import refused", []string{"import", "--home", home, "../../testdata/import/refused/镇街执法_2022年3月.xlsx"}, exitRefused, "已拒收"},
		{"bad flag", []string{"import", "--bogus", "x"}, exitUsage, "未知的选项 --bogus"},
		{"bad month", []string{"score", "--month", "2022-13", "--home", home}, exitUsage, "无法识别的月份「2022-13」"},
		{"bad --period", []string{"import", "--period", "三月", samples[0], "--home", home}, exitUsage, "无法识别的期间「三月」"},
		{"flag without its value", []string{"score", "--month"}, exitUsage, "选项需要一个值"},
		{"no files", []string{"import", "--home", home}, exitUsage, "请指定要导入的文件"},
		{"bad dataset", []string{"import", "--home", home, "--dataset", "x", samples[0]}, exitUsage, "未知的数据类型"},
		{"template", []string{"template", "accidents", "-o", tmpl, "--home", home}, exitOK, "已生成生产安全事故台账模板"},
		{"score a month without data", []string{"score", "--month", "2021-03", "--home", home}, exitRefused, "2021-03 没有任何数据"},
		{"score table", []string{"score", "--month", "2022-03", "--home", home}, exitOK, "执法检查排名（镇街平台）"},
		{"score json", []string{"score", "--quarter", "2022Q1", "--json", "--home", home}, exitOK, `"period": "2022Q1"`},
		{"score needs one period", []string{"score", "--home", home}, exitUsage, "score 需要 --month"},
		{"bulletin", []string{"bulletin", "--month", "2022-03", "--home", home}, exitOK, "1号）：\n" + home},
		{"bulletin again", []string{"bulletin", "--month", "2022-03", "--home", home}, exitOK, "数据没有变化，沿用第1版"},
		{"bulletin again with --number", []string{"bulletin", "--month", "2022-03", "--number", "9", "--home", home}, exitOK, "--number 只用于新版本"},
		{"bad --number", []string{"bulletin", "--month", "2022-03", "--number", "-2", "--home", home}, exitUsage, "--number 应为正整数"},
		{"scorecard", []string{"scorecard", "--quarter", "2022年第一季度", "--home", home}, exitOK, "绩效评估(v1).xlsx"},
		{"scorecard --number", []string{"scorecard", "--quarter", "2022Q2", "--number", "12", "--home", home}, exitOK, "〕12号）"},
		{"approve an issued version", []string{"approve", "--month", "2022-03", "--home", home}, exitRefused, "2022-03 没有待签发的版本：第1版已于"},
		{"approve without period", []string{"approve", "--home", home}, exitUsage, "approve 需要 --month"},
		{"approve both periods", []string{"approve", "--month", "2022-03", "--quarter", "2022Q1", "--home", home}, exitUsage, "只能给一个"},
		{"status", []string{"status", "--home", home}, exitOK, "月度通报"},
		{"status json", []string{"status", "--json", "--home", home}, exitOK, `"name": "bulletin"`},
		{"template without dataset", []string{"template"}, exitUsage, "template 需要一个数据类型"},
		{"history", []string{"history", "--period", "2022年4月", "--home", home}, exitOK, "部门执法检查月报_2022年4月.csv  14 个单位，14 行"},
		{"history bad period", []string{"history", "--period", "四月", "--home", home}, exitUsage, "无法识别的期间「四月」"},
		{"retract unknown", []string{"retract", "deadbeefdead", "--home", home}, exitRefused, "没有 SHA-256 以 deadbeefdead 开头的导入"},
		{"retract without target", []string{"retract", "--home", home}, exitUsage, "retract 需要一个文件或 SHA-256"},
		{"retract", []string{"retract", "../../../shared/samples/部门执法检查月报_2022年4月.csv", "--reason", "测试", "--home", home}, exitOK, "已撤回：文件「部门执法检查月报_2022年4月.csv」"},
		{"export", []string{"export", "--dataset", "enforcement", "--from", "2022年3月", "--to", "2022-03", "-o", tmpl + ".csv", "--home", home}, exitOK, "已导出 46 行"},
		{"export without output", []string{"export", "--dataset", "enforcement", "--home", home}, exitUsage, "export 需要 --dataset"},
		{"history after retract", []string{"history", "--period", "2022-04", "--home", home}, exitOK, "已撤回（测试）"},
	}
	runCommands(t, tests)
	if _, err := os.Stat(tmpl); err != nil {
		t.Errorf("template not written: %v", err)
	}
}

// TestApproveCommand: with approval on, bulletin writes a draft and says
// how to sign it; approve signs it with the next 发文字号.
func TestApproveCommand(t *testing.T) {
	home := t.TempDir()
	samples, _ := filepath.Glob("../../../shared/samples/*")
	for _, args := range [][]string{{"init", "--home", home}, append([]string{"import", "--home", home}, samples...)} {
		if code := run(context.Background(), args, io.Discard, io.Discard); code != exitOK {
			t.Fatalf("%v: exit %d", args, code)
		}
	}
	cfg := filepath.Join(home, "tongbao.toml")
	data, _ := os.ReadFile(cfg)
	if !bytes.Contains(data, []byte("approval = false")) {
		t.Fatal("init's tongbao.toml has no approval key")
	}
	os.WriteFile(cfg, bytes.Replace(data, []byte("approval = false"), []byte("approval = true"), 1), 0o644)
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"bulletin", "--month", "2022-03"}, "已生成 2022-03 第1版待签发稿（签发时编号、定日期后才投送）：tongbao approve --month 2022-03"},
		{[]string{"bulletin", "--month", "2022-03"}, "2022-03 的数据没有变化，第1版仍待签发"},
		{[]string{"approve", "--month", "2022-03", "--number", "5"}, "已签发 2022-03 第1版（江津安委办〔"},
		{[]string{"approve", "--month", "2022-03"}, "没有待签发的版本"},
	} {
		var out bytes.Buffer
		run(context.Background(), append(step.args, "--home", home), &out, &out)
		if !strings.Contains(out.String(), step.want) {
			t.Errorf("%v:\n%s\nwant %q", step.args, out.String(), step.want)
		}
	}
}

// TestEveryCommandHasChineseHelp: `tongbao help CMD` and `tongbao CMD
// --help` exit 0 with the command's Chinese description, usage, and every
// flag explained in Chinese.
func TestEveryCommandHasChineseHelp(t *testing.T) {
	a := &app{}
	root := a.commands()
	for _, c := range root.Commands() {
		for _, args := range [][]string{{"help", c.Name()}, {c.Name(), "--help"}, {c.Name(), "-h"}} {
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, &out, &errOut)
			text := out.String()
			desc, _, _ := strings.Cut(cmp.Or(c.Long, c.Short), "\n")
			if code != exitOK || !strings.Contains(text, "用法：") || !strings.HasPrefix(text, desc) || !hasHan(c.Short) {
				t.Errorf("tongbao %v: exit %d\n%s%s", args, code, text, errOut.String())
			}
			if strings.Contains(text, "help for") || strings.Contains(text, "Usage:") || strings.Contains(text, "Flags:") {
				t.Errorf("tongbao %v: English in the help:\n%s", args, text)
			}
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if !hasHan(f.Usage) {
				t.Errorf("%s --%s: usage %q is not Chinese", c.Name(), f.Name, f.Usage)
			}
		})
	}
	for _, sh := range []string{"bash", "powershell"} {
		var out bytes.Buffer
		if code := run(context.Background(), []string{"completion", sh}, &out, io.Discard); code != exitOK || out.Len() < 1000 || !strings.Contains(out.String(), "tongbao") {
			t.Errorf("completion %s: exit %d, %d bytes", sh, code, out.Len())
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &out, io.Discard); code != exitOK || !strings.HasPrefix(out.String(), "tongbao ") || !strings.Contains(out.String(), "Go：go1.") {
		t.Errorf("version: exit %d\n%s", code, out.String())
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

// TestSectionsValidatedByTheirCommands: a delivery section the service
// could not use (a mail host without a sender) does not stop validate,
// import or score; the service refuses to start naming the key. An unknown
// key is refused by every command.
func TestSectionsValidatedByTheirCommands(t *testing.T) {
	home := t.TempDir()
	var out bytes.Buffer
	if run(context.Background(), []string{"init", "--home", home}, &out, &out) != exitOK {
		t.Fatal(out.String())
	}
	cfgPath := home + "/tongbao.toml"
	cfg, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, []byte(strings.Replace(string(cfg), `host = ""`, `host = "mail.example.org"`, 1)), 0o644)
	sample := "../../../shared/samples/部门执法检查月报_2022年4月.csv"
	for _, args := range [][]string{{"validate", sample}, {"import", sample}, {"score", "--month", "2022-04"}, {"status"}} {
		out.Reset()
		if code := run(context.Background(), append(args, "--home", home), &out, &out); code != exitOK {
			t.Errorf("%v with a broken [delivery]: exit %d\n%s", args, code, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"serve", "--home", home}, &out, &out); code != exitRefused || !strings.Contains(out.String(), "delivery.smtp.from") {
		t.Errorf("serve with a broken [delivery]: exit %d\n%s", code, out.String())
	}
	os.WriteFile(cfgPath, []byte(strings.Replace(string(cfg), "stop_timeout_seconds = 600", "stop_timeout_seconds = 600\nmonthy = \"x\"", 1)), 0o644)
	out.Reset()
	if code := run(context.Background(), []string{"status", "--home", home}, &out, &out); code != exitRefused || !strings.Contains(out.String(), "未知的配置项「schedules.monthy」") {
		t.Errorf("status with a typo in [schedules]: exit %d\n%s", code, out.String())
	}
	os.WriteFile(cfgPath, []byte(strings.Replace(string(cfg), "district =", "distrct = \"x\"\ndistrict =", 1)), 0o644)
	out.Reset()
	if code := run(context.Background(), []string{"validate", sample, "--home", home}, &out, &out); code != exitRefused || !strings.Contains(out.String(), "未知的配置项「distrct」") {
		t.Errorf("validate with a typo: exit %d\n%s", code, out.String())
	}
}

func TestUserCommands(t *testing.T) {
	home := t.TempDir()
	t.Setenv("TONGBAO_PASSWORD", "一个够长的密码123")
	tests := []commandCase{
		{"init", []string{"init", "--home", home}, exitOK, "已创建工作区"},
		{"list empty", []string{"user", "list", "--home", home}, exitOK, "还没有账号"},
		{"add admin", []string{"user", "add", "安委办", "--role", "admin", "--home", home}, exitOK, "已新增账号「安委办」（管理员）"},
		{"add reporter", []string{"user", "add", "几江填报", "--role", "reporter", "--units", "几江街道、几江", "--home", home}, exitOK, "（填报员）"},
		{"unknown unit", []string{"user", "add", "甲乙", "--role", "reporter", "--units", "火星镇", "--home", home}, exitRefused, "单位「火星镇」未在单位名录中登记"},
		{"reporter without units", []string{"user", "add", "乙乙", "--role", "reporter", "--home", home}, exitRefused, "须绑定单位"},
		{"bad role", []string{"user", "add", "丙丙", "--role", "boss", "--home", home}, exitRefused, "未知的角色「boss」"},
		{"twice", []string{"user", "add", "安委办", "--role", "admin", "--home", home}, exitRefused, "已存在"},
		{"disable", []string{"user", "disable", "几江填报", "--home", home}, exitOK, "已停用「几江填报」"},
		{"list", []string{"user", "list", "--home", home}, exitOK, "几江填报\t填报员\t几江街道\t已停用"},
		{"passwd unknown", []string{"user", "passwd", "无此人", "--home", home}, exitRefused, "没有账号「无此人」"},
		{"no subcommand", []string{"user", "--home", home}, exitUsage, "user 需要一个子命令"},
	}
	runCommands(t, tests)
}
