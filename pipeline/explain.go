package pipeline

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
	"unicode"
)

// Explain turns an error into one line of Chinese for the user, keeping
// the cause (a missing file, a full disk, a mail server that refuses);
// the raw error is for the log.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var (
		le  *LockError
		ce  *ConfigError
		ie  *InputError
		nd  *NoDataError
		nr  *NotRegularError
		pe  *fs.PathError
		op  *net.OpError
		dns *net.DNSError
	)
	switch {
	case errors.As(err, &le):
		return le.Error()
	case errors.As(err, &ce):
		return ce.Error()
	case errors.As(err, &ie):
		return ie.Error()
	case errors.As(err, &nd):
		return nd.Error()
	case errors.As(err, &nr):
		return nr.Error()
	case errors.Is(err, context.Canceled):
		return "操作已取消"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "操作超时"
	case errors.Is(err, syscall.ENOSPC):
		return "磁盘空间不足" + pathOf(err)
	case errors.Is(err, syscall.ENAMETOOLONG):
		return "文件名过长" + pathOf(err)
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, zip.ErrChecksum):
		return "文件已损坏或不完整（不是有效的 zip/xlsx 文件）"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "文件已损坏或不完整（内容意外结束）"
	case errors.As(err, &dns):
		return "无法连接邮件服务器：找不到主机「" + dns.Name + "」"
	case errors.As(err, &op) && op.Op == "dial":
		addr := ""
		if op.Addr != nil {
			addr = "（" + op.Addr.String() + "）"
		}
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return "无法连接邮件服务器" + addr + "：连接被拒绝"
		case op.Timeout():
			return "无法连接邮件服务器" + addr + "：连接超时"
		}
		return "无法连接邮件服务器" + addr
	case errors.As(err, &op):
		return "与邮件服务器的连接中断"
	case errors.Is(err, os.ErrNotExist):
		return "文件不存在" + pathOf(err)
	case errors.Is(err, os.ErrPermission):
		return "没有访问权限" + pathOf(err)
	case errors.As(err, &pe):
		return "无法访问文件" + pathOf(err)
	}
	if msg := err.Error(); hasHan(msg) {
		return msg // our own messages, already in Chinese
	}
	return "内部错误（详情已写入 logs/tongbao.log）"
}

func pathOf(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path != "" {
		return "（" + pe.Path + "）"
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return "（" + le.New + "）"
	}
	return ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
