package app

import (
	"context"
	"testing"
	"time"

	"hongyan/internal/core"
	"hongyan/internal/store"
)

// A reply to a survey keyword, sent by a phone through the operator's
// simulator, becomes a customer record of the organisation, and the user
// is thanked free of charge from the number they wrote to.
func TestSurveyReplyCreatesCustomer(t *testing.T) {
	sb := testSandbox(t, SandboxOptions{})
	ctx := context.Background()
	noErr(t, sb.Store.CreateSurvey(ctx, &store.Survey{OrgID: sb.Account.OrgID, Keyword: "DC"}))
	sb.Core.ForgetSurveys()
	const phone = "13800138077"
	if err := sb.SendMO(ctx, phone, "10658000", "dc 张三 教师 35 5000-10000"); err != nil {
		t.Fatal(err)
	}
	var c *store.Customer
	waitFor(t, 10*time.Second, "the customer record", func() bool {
		cs, err := sb.Store.Customers(ctx, store.CustomerQuery{Text: phone})
		noErr(t, err)
		if len(cs) == 1 {
			c = cs[0]
		}
		return c != nil
	})
	if c.Name != "张三" || c.Occupation != "教师" || c.Age != 35 || c.Income != "5000-10000" || c.Source != "sms" || c.OrgID != sb.Account.OrgID {
		t.Fatalf("customer = %+v", c)
	}
	var thanks *store.Message
	waitFor(t, 10*time.Second, "the confirmation delivered", func() bool {
		ms, err := sb.Store.MessagesTo(ctx, sb.Account.ID, phone, 5)
		noErr(t, err)
		for _, m := range ms {
			if m.Content == core.DefaultSurveyReply && m.State == store.Delivered {
				thanks = m
			}
		}
		return thanks != nil
	})
	if thanks.Fee != 0 || thanks.Charged != 0 {
		t.Fatalf("confirmation charged: %+v", thanks)
	}
	// A second reply updates the same record.
	if err := sb.SendMO(ctx, phone, "10658000", "DC 张三 医生"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the record updated", func() bool {
		got, err := sb.Store.GetCustomer(ctx, c.ID)
		noErr(t, err)
		return got.Occupation == "医生" && got.Age == 35
	})
}

func TestParseSurvey(t *testing.T) {
	for text, want := range map[string]store.Customer{
		"DC 张三 教师 35 5000-10000": {Name: "张三", Occupation: "教师", Age: 35, Income: "5000-10000"},
		"DC，李四，35，工人":            {Name: "李四", Occupation: "工人", Age: 35},
		"DC":                     {},
		"DC 王五 8000元":            {Name: "王五", Income: "8000元"},
	} {
		if got := core.ParseSurvey(text); got.Name != want.Name || got.Occupation != want.Occupation || got.Age != want.Age || got.Income != want.Income {
			t.Errorf("ParseSurvey(%q) = %+v, want %+v", text, got, want)
		}
	}
}
