"""Drives swift-ca's web interface in headless Chromium as a person would: log in, sign from a pasted CSR
(preview first), view the certificate, revoke it. Saves a screenshot of each step and the issued PEM.

usage: web_flow.py BASE_URL USER PASSWORD CSR_FILE CA_SERIAL ARTIFACT_DIR PEM_OUT
Prints `serial=<hex>` on success; exits non-zero with the reason otherwise."""

import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1400"):
        options.add_argument(argument)
    # Explicit paths: selenium-manager must not try to download a driver.
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main():
    base, user, password, csr_file, ca_serial, artifacts, pem_out = sys.argv[1:8]
    os.makedirs(artifacts, exist_ok=True)
    with open(csr_file) as handle:
        csr = handle.read()
    driver = browser()
    wait = WebDriverWait(driver, 20)

    def shot(name):
        path = os.path.join(artifacts, name + ".png")
        driver.save_screenshot(path)
        print("screenshot " + path)

    try:
        driver.get(base + "/admin/login")
        driver.find_element(By.ID, "username").send_keys(user)
        driver.find_element(By.ID, "password").send_keys(password)
        shot("01-login")
        driver.find_element(By.ID, "login").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "hierarchy")))
        shot("02-dashboard")

        driver.find_element(By.LINK_TEXT, "Sign").click()
        textarea = wait.until(expected_conditions.presence_of_element_located((By.ID, "csr")))
        textarea.send_keys(csr)
        Select(driver.find_element(By.ID, "ca")).select_by_value(ca_serial)
        Select(driver.find_element(By.ID, "profile")).select_by_value("webserver")
        shot("03-paste-csr")
        driver.find_element(By.ID, "preview").click()
        preview = wait.until(expected_conditions.presence_of_element_located((By.ID, "csr-preview")))
        if "CN=browser.example.com" not in preview.text:
            raise SystemExit("the preview does not show the CSR's subject: " + preview.text)
        if "DNS:browser.example.com" not in driver.find_element(By.ID, "sans").get_attribute("value"):
            raise SystemExit("the SAN field is not pre-filled from the CSR")
        shot("04-preview")
        watchers = driver.find_element(By.ID, "watchers")
        watchers.send_keys("owner@example.com")
        driver.find_element(By.ID, "sign").click()
        wait.until(expected_conditions.presence_of_element_located((By.ID, "certificate-fields")))
        notice = driver.find_element(By.ID, "notice").text
        if "signed" not in notice:
            raise SystemExit("no confirmation after signing: " + notice)
        serial = driver.find_element(By.ID, "serial").text.replace(":", "")
        with open(pem_out, "w") as handle:
            handle.write(driver.find_element(By.ID, "pem").text + "\n")
        shot("05-certificate")

        Select(driver.find_element(By.ID, "reason")).select_by_value("key_compromise")
        driver.find_element(By.ID, "compromised").send_keys("2026-01-02T03:04:05Z")
        driver.find_element(By.ID, "revoke").click()
        wait.until(expected_conditions.text_to_be_present_in_element((By.ID, "status"), "revoked"))
        shot("06-revoked")

        driver.get(base + "/admin/audit/")
        wait.until(expected_conditions.presence_of_element_located((By.ID, "audit")))
        shot("07-audit")
        print("serial=" + serial)
    except Exception:
        shot("failure")
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
