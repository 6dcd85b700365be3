"""Drives swift-ca's OpenSSH pages in headless Chromium as a person would: log in, paste a public key into the
signing form, sign, read the certificate off its page, revoke it. Saves a screenshot of each step.

usage: web_ssh_flow.py BASE_URL USER PASSWORD PUBLIC_KEY_FILE CA_NAME PRINCIPAL ARTIFACT_DIR CERTIFICATE_OUT
Prints `serial=<decimal>` on success; exits non-zero with the reason otherwise."""

import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from web_flow import browser


def main():
    base, user, password, key_file, ca_name, principal, artifacts, certificate_out = sys.argv[1:9]
    os.makedirs(artifacts, exist_ok=True)
    with open(key_file) as handle:
        public_key = handle.read().strip()
    driver = browser()
    wait = WebDriverWait(driver, 20)

    def shot(name):
        driver.save_screenshot(os.path.join(artifacts, name + ".png"))

    try:
        driver.get(base + "/admin/login")
        driver.find_element(By.ID, "username").send_keys(user)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.ID, "login").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "hierarchy")))

        driver.find_element(By.LINK_TEXT, "OpenSSH").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "ssh-authorities")))
        Select(driver.find_element(By.ID, "ssh-ca")).select_by_value(ca_name)
        Select(driver.find_element(By.ID, "ssh-type")).select_by_value("user")
        driver.find_element(By.ID, "public-key").send_keys(public_key)
        driver.find_element(By.ID, "principals").send_keys(principal)
        driver.find_element(By.ID, "key-id").send_keys("browser-key")
        driver.find_element(By.ID, "force-command").send_keys("/usr/bin/uptime")
        shot("ssh-01-form")
        driver.find_element(By.ID, "ssh-sign").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "ssh-certificate-fields")))
        if "signed" not in driver.find_element(By.ID, "notice").text:
            raise SystemExit("no confirmation after signing")
        serial = driver.find_element(By.ID, "ssh-serial").text
        with open(certificate_out, "w") as handle:
            handle.write(driver.find_element(By.ID, "ssh-certificate").get_attribute("value") + "\n")
        shot("ssh-02-certificate")

        Select(driver.find_element(By.ID, "ssh-reason")).select_by_value("key_compromise")
        driver.find_element(By.ID, "ssh-revoke").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "ssh-status"), "revoked"))
        shot("ssh-03-revoked")
        print("serial=" + serial)
    except Exception:
        shot("ssh-failure")
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
