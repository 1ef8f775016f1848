package config

// Secrets returns every secret value the config resolved (credentials,
// tokens, header values, the API's tokens, the Slack webhook URL and
// token, each receiver's token, signing secret, password and URL), for
// the scrubber that keeps them out of every message; unset
// ones are left out.
func (c *Config) Secrets() (values, urls []string) {
	add := func(s Secret) {
		if v := s.Reveal(); v != "" {
			values = append(values, v)
		}
	}
	if sl := c.Notify.Slack; sl != nil {
		add(sl.Token)
		if u := sl.WebhookURL.Reveal(); u != "" {
			urls = append(urls, u)
		}
	}
	for _, r := range c.Receivers {
		add(r.Token)
		add(r.Secret)
		add(r.Password)
		for _, u := range []Secret{r.WebhookURL, r.URL} {
			if v := u.Reveal(); v != "" {
				urls = append(urls, v)
			}
		}
	}
	add(c.Server.APIToken)
	add(c.Server.APIWriteToken)
	for _, s := range c.Sources {
		add(s.ClientSecret)
		add(s.Token)
		for _, h := range s.Headers {
			add(h)
		}
	}
	return values, urls
}
