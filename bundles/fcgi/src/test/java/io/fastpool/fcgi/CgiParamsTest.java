package io.fastpool.fcgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgiParamsTest {

    @Test
    void aRequestCarriesNginxsFastcgiParamsInTheirOrderThenTheScriptFileThenTheHeaders() {
        List<String> names = CgiParams.request("GET", "/app/index.php?page=2").list().stream().map(Map.Entry::getKey).toList();

        assertThat(names).containsExactly("QUERY_STRING", "REQUEST_METHOD", "CONTENT_TYPE", "CONTENT_LENGTH", "SCRIPT_NAME",
                "REQUEST_URI", "DOCUMENT_URI", "DOCUMENT_ROOT", "SERVER_PROTOCOL", "REQUEST_SCHEME", "GATEWAY_INTERFACE",
                "SERVER_SOFTWARE", "REMOTE_ADDR", "REMOTE_PORT", "SERVER_ADDR", "SERVER_PORT", "SERVER_NAME", "REDIRECT_STATUS",
                "SCRIPT_FILENAME", "HTTP_HOST");
    }

    @Test
    void theUriIsSplitIntoScriptNameAndQueryString() {
        Map<String, String> params = map(CgiParams.request("GET", "/app/index.php?page=2"));

        assertThat(params).containsEntry("REQUEST_URI", "/app/index.php?page=2")
                .containsEntry("SCRIPT_NAME", "/app/index.php")
                .containsEntry("DOCUMENT_URI", "/app/index.php")
                .containsEntry("QUERY_STRING", "page=2")
                .containsEntry("SCRIPT_FILENAME", "/var/www/html/app/index.php");
    }

    @Test
    void setReplacesAParameterWhereItStands() {
        List<Map.Entry<String, String>> list = CgiParams.request("GET", "/").set("REQUEST_METHOD", "POST").set("X_NEW", "1").list();

        assertThat(list.get(1)).isEqualTo(Map.entry("REQUEST_METHOD", "POST"));
        assertThat(list.get(list.size() - 1)).isEqualTo(Map.entry("X_NEW", "1"));
        assertThat(list).extracting(Map.Entry::getKey).doesNotHaveDuplicates();
    }

    @Test
    void headersBecomeHttpParamsAndContentHeadersAlsoSetTheCgiVariables() {
        Map<String, String> params = map(CgiParams.request("POST", "/").header("X-Forwarded-For", "10.0.0.1")
                .header("Content-Type", "application/json").header("Content-Length", "12").header("host", "example.org"));

        assertThat(params).containsEntry("HTTP_X_FORWARDED_FOR", "10.0.0.1")
                .containsEntry("CONTENT_TYPE", "application/json").containsEntry("HTTP_CONTENT_TYPE", "application/json")
                .containsEntry("CONTENT_LENGTH", "12").containsEntry("HTTP_CONTENT_LENGTH", "12")
                .containsEntry("HTTP_HOST", "example.org");
    }

    private static Map<String, String> map(CgiParams params) {
        Map<String, String> map = new LinkedHashMap<>();
        params.list().forEach(entry -> map.put(entry.getKey(), entry.getValue()));
        return map;
    }
}
