package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"hongyan/internal/store"
)

// DemoGroup is the shared address-book group the demo gives the city.
const DemoGroup = "广州市重点客户"

var demoContacts = []store.Contact{
	{Number: "13800138000", Name: "张三", Note: "营业厅"},
	{Number: "13800138001", Name: "李四"},
	{Number: "13900139000", Name: "王五", Note: "大客户"},
	{Number: "13700137000", Name: "赵六"},
	{Number: "18900189000", Name: "孙七"},
}

// demoReplies are users' replies (MO) to the demo's sending account, so the
// console's inbox is not empty on the first visit.
var demoReplies = []struct{ from, ext, text string }{
	{"13800138000", "", "收到，谢谢"},
	{"13900139000", "01", "请问包裹什么时候到？"},
	{"13800138001", "", "好的，明天上午去取"},
}

// SeedAddressBook gives the city a shared address-book group with a few
// contacts and puts some replies in the demo account's inbox (A7, P2). It
// keeps what a previous run on the same data created.
func (sb *Sandbox) SeedAddressBook(ctx context.Context) error {
	orgs, err := sb.Store.Orgs(ctx)
	if err != nil {
		return fmt.Errorf("demo address book: %w", err)
	}
	var city *store.Org
	for _, o := range orgs {
		if o.Code == DemoCity {
			city = o
		}
	}
	if city == nil {
		return errors.New("demo address book: no city " + DemoCity + " (seed the province first)")
	}
	gs, err := sb.Store.Groups(ctx, store.GroupQuery{Orgs: []int64{city.ID}})
	if err != nil {
		return fmt.Errorf("demo address book: %w", err)
	}
	for _, g := range gs {
		if g.Name == DemoGroup {
			return nil // seeded before, replies too
		}
	}
	now := time.Now()
	g := &store.ContactGroup{Name: DemoGroup, OrgID: city.ID, Note: "演示数据", CreatedBy: "demo", CreatedAt: now}
	if err := sb.Store.CreateGroup(ctx, g); err != nil {
		return fmt.Errorf("demo address book group: %w", err)
	}
	cs := make([]*store.Contact, len(demoContacts))
	for i := range demoContacts {
		c := demoContacts[i]
		cs[i] = &c
	}
	if _, err := sb.Store.AddContacts(ctx, g.ID, cs); err != nil {
		return fmt.Errorf("demo address book contacts: %w", err)
	}
	if sb.Account == nil {
		return nil
	}
	mos := make([]*store.MO, len(demoReplies))
	for i, r := range demoReplies {
		mos[i] = &store.MO{AccountID: sb.Account.ID, From: r.from, To: sb.Account.ServiceCode + r.ext, Content: r.text,
			Operator: "cmcc", ReceivedAt: now.Add(time.Duration(i-len(demoReplies)) * 7 * time.Minute)}
	}
	if err := sb.Store.InsertMO(ctx, mos); err != nil {
		return fmt.Errorf("demo replies: %w", err)
	}
	return nil
}
