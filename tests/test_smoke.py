def test_login_page_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "用户登录" in response.content.decode()


def test_pages_need_login(client, db):
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
